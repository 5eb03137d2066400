import { KAFKA_ERROR_CODES } from './error-codes';
import { KafkaProtocolError, MalformedMessageError, kafkaErrorByCode } from './errors';

describe('error codes', () => {
  it('has codes -1..128 except the unassigned 99, each with a unique number', () => {
    const codes = Object.values(KAFKA_ERROR_CODES).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBe(129);
    expect(codes).not.toContain(99);
  });

  it('knows retriable flags', () => {
    expect(KAFKA_ERROR_CODES.NOT_LEADER_OR_FOLLOWER).toMatchObject({ code: 6, retriable: true });
    expect(KAFKA_ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION.retriable).toBe(true);
    expect(KAFKA_ERROR_CODES.UNSUPPORTED_VERSION).toMatchObject({ code: 35, retriable: false });
    expect(KAFKA_ERROR_CODES.REBALANCE_IN_PROGRESS.retriable).toBe(false);
    expect(KAFKA_ERROR_CODES.NONE.retriable).toBe(false);
  });

  it('maps unknown codes to UNKNOWN_SERVER_ERROR like the Java client', () => {
    expect(kafkaErrorByCode(3).name).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(kafkaErrorByCode(9999).name).toBe('UNKNOWN_SERVER_ERROR');
  });

  it('builds KafkaProtocolError from a name or a number', () => {
    const byName = new KafkaProtocolError('NOT_COORDINATOR');
    expect(byName).toBeInstanceOf(Error);
    expect(byName).toMatchObject({ code: 16, errorName: 'NOT_COORDINATOR', retriable: true });
    expect(byName.message).toBe(KAFKA_ERROR_CODES.NOT_COORDINATOR.message);
    const byNumber = new KafkaProtocolError(7, 'slow');
    expect(byNumber).toMatchObject({ code: 7, errorName: 'REQUEST_TIMED_OUT', retriable: true, message: 'slow' });
    const malformed = new MalformedMessageError('bad');
    expect(malformed).toBeInstanceOf(KafkaProtocolError);
    expect(malformed.code).toBe(42);
  });
});
