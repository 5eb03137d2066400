import { KafkaProtocolError } from '../kafka/errors';

/** Bytes that are not a valid record batch: bad length, magic, CRC, record framing or varint. */
export class CorruptRecordError extends KafkaProtocolError {
  constructor(message: string) {
    super('CORRUPT_MESSAGE', message);
    this.name = 'CorruptRecordError';
  }
}

/** A compressed payload that cannot be decompressed, or whose output would exceed the allowed size. */
export class CompressionError extends KafkaProtocolError {
  constructor(message: string, readonly tooLarge = false) {
    super(tooLarge ? 'MESSAGE_TOO_LARGE' : 'CORRUPT_MESSAGE', message);
    this.name = 'CompressionError';
  }
}
