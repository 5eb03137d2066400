import { KAFKA_ERROR_CODES, KafkaErrorName, KafkaProtocolError } from '@tributary/protocol';

/** Kafka error numbers by name (from the protocol library's table). */
export const ErrorCode = Object.fromEntries(Object.entries(KAFKA_ERROR_CODES).map(([name, info]) => [name, info.code])) as {
  readonly [K in KafkaErrorName]: (typeof KAFKA_ERROR_CODES)[K]['code'];
};

/** The data plane's typed error: a Kafka error code plus a message for the response. */
export class KafkaError extends KafkaProtocolError {
  constructor(errorName: KafkaErrorName, message: string) {
    super(errorName, message);
    this.name = 'KafkaError';
  }
}
