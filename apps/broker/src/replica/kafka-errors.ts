/**
 * The Kafka error codes the data plane raises, as typed errors. The protocol edge turns
 * `KafkaError.code` into the response's error code; the numbers are Kafka's.
 */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  INVALID_REQUIRED_ACKS: 21,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_RECORD: 87,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  KAFKA_STORAGE_ERROR: 56,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export class KafkaError extends Error {
  readonly code: number;
  constructor(
    readonly errorName: ErrorCodeName,
    message: string,
  ) {
    super(message);
    this.name = 'KafkaError';
    this.code = ErrorCode[errorName];
  }
}
