import { KAFKA_ERROR_CODES, KafkaErrorCodeInfo, KafkaErrorName } from './error-codes';

const BY_CODE = new Map<number, KafkaErrorCodeInfo>(
  Object.values(KAFKA_ERROR_CODES).map((info) => [info.code, info]),
);

/**
 * Looks up an error code. Unknown codes map to UNKNOWN_SERVER_ERROR, as the Java client does,
 * so a code newer than our table still surfaces as a (non-retriable) failure.
 */
export function kafkaErrorByCode(code: number): KafkaErrorCodeInfo {
  return BY_CODE.get(code) ?? KAFKA_ERROR_CODES.UNKNOWN_SERVER_ERROR;
}

/** An error that maps onto a Kafka error code, so handlers can turn it into a response field. */
export class KafkaProtocolError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(error: KafkaErrorName | number, message?: string) {
    const info = typeof error === 'number' ? kafkaErrorByCode(error) : KAFKA_ERROR_CODES[error];
    super(message ?? info.message);
    this.name = 'KafkaProtocolError';
    this.code = typeof error === 'number' ? error : info.code;
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}

/** Malformed bytes on the wire: truncated frame, negative or oversized length, bad varint. */
export class MalformedMessageError extends KafkaProtocolError {
  constructor(message: string) {
    // Kafka answers undecodable requests by closing the connection; INVALID_REQUEST is the closest code.
    super('INVALID_REQUEST', message);
    this.name = 'MalformedMessageError';
  }
}

/**
 * A value the encoder cannot put on the wire for the chosen version (e.g. a non-ignorable field
 * the version lacks, or a null where the version does not allow one).
 */
export class UnencodableValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnencodableValueError';
  }
}
