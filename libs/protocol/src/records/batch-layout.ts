/**
 * Record batch v2 layout: a 61-byte header, then the records (compressed as one block when the
 * attributes name a codec). The CRC32C covers everything from the attributes to the end.
 */
export const BATCH = {
  BASE_OFFSET: 0,
  LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORDS_COUNT: 57,
  HEADER_SIZE: 61,
  /** baseOffset + length: the bytes not counted by the length field */
  LOG_OVERHEAD: 12,
} as const;

export const MAGIC_V2 = 2;

export const ATTRIBUTES = {
  COMPRESSION_MASK: 0x07,
  LOG_APPEND_TIME: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
} as const;

const TWO_POW_32 = 2 ** 32;

/** int64 as a JS number (offsets, timestamps and producer ids stay far below 2^53). */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * TWO_POW_32, at + 4);
}
