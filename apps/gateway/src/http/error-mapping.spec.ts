import { NotFoundException } from '@nestjs/common';
import { ConnectionError } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { ZodValidationException } from 'nestjs-zod';
import { z } from 'zod';
import { errorBodyOf } from './error-mapping';

describe('errorBodyOf', () => {
  it('names every invalid field of a validation error', () => {
    const result = z.object({ entries: z.array(z.object({ id: z.string() })), n: z.number() }).safeParse({ entries: [{ id: 'a' }, { id: 7 }], n: 'x' });
    expect(result.success).toBe(false);
    const body = errorBodyOf(new ZodValidationException(result.error));
    expect(body.error_code).toBe(400);
    expect(body.message).toContain('entries.1.id: ');
    expect(body.message).toContain('n: ');
  });

  it('maps Kafka errors to statuses by their meaning and keeps the Kafka error name', () => {
    expect(errorBodyOf(new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', 'topic x'))).toMatchObject({ error_code: 404, message: 'UNKNOWN_TOPIC_OR_PARTITION: topic x' });
    expect(errorBodyOf(new KafkaProtocolError('TOPIC_ALREADY_EXISTS')).error_code).toBe(409);
    expect(errorBodyOf(new KafkaProtocolError('INVALID_REPLICATION_FACTOR')).error_code).toBe(400);
    expect(errorBodyOf(new KafkaProtocolError('NOT_ENOUGH_REPLICAS')).error_code).toBe(503);
    expect(errorBodyOf(new ConnectionError('refused')).error_code).toBe(503);
  });

  it('keeps HTTP errors and hides everything else behind a 500 without details', () => {
    expect(errorBodyOf(new NotFoundException('cluster x not found'))).toEqual({ error_code: 404, message: 'cluster x not found', expected: true });
    const hidden = errorBodyOf(new TypeError('cannot read properties of undefined (secret path /srv/x)'));
    expect(hidden).toEqual({ error_code: 500, message: 'internal error', expected: false });
  });
});
