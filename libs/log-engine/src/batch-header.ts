import { crc32c } from '@node-rs/crc32';
import { InvalidBatchError } from './errors';

/**
 * Record batch v2 header layout (Kafka's on-disk and on-wire format). The log engine reads only
 * these fixed fields; records stay opaque bytes on the append and read paths.
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
  /** baseOffset + batchLength: the bytes before the length-counted part. */
  LOG_OVERHEAD: 12,
} as const;

export const CURRENT_MAGIC = 2;
export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE_LOG_APPEND = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
/** KIP-534: the batch's base timestamp is the cleaner's delete horizon (record timestamps stay exact through their deltas). */
export const ATTR_DELETE_HORIZON = 0x40;

/** The header fields the engine needs, read without touching records. */
export interface BatchHeader {
  position: number;
  baseOffset: number;
  lastOffset: number;
  sizeInBytes: number;
  maxTimestamp: number;
  attributes: number;
  recordsCount: number;
}

/**
 * An int64 as a JS number without allocating a BigInt (hot path: once or more per batch).
 * Exact for offsets and timestamps, which stay far below 2^53.
 */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

export function writeInt64(buf: Buffer, at: number, value: number): void {
  const high = Math.floor(value / 4294967296);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(value - high * 4294967296, at + 4);
}

export function readBaseOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + BATCH.BASE_OFFSET);
}

export function readBatchSize(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
}

export function readLastOffset(buf: Buffer, pos: number): number {
  return readBaseOffset(buf, pos) + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA);
}

export function readHeader(buf: Buffer, pos: number): BatchHeader {
  const baseOffset = readBaseOffset(buf, pos);
  return {
    position: pos,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA),
    sizeInBytes: readBatchSize(buf, pos),
    maxTimestamp: readInt64(buf, pos + BATCH.MAX_TIMESTAMP),
    attributes: buf.readInt16BE(pos + BATCH.ATTRIBUTES),
    recordsCount: buf.readInt32BE(pos + BATCH.RECORDS_COUNT),
  };
}

export function computeCrc(buf: Buffer, pos: number, size: number): number {
  return crc32c(buf.subarray(pos + BATCH.ATTRIBUTES, pos + size));
}

/**
 * Checks the structure of the batch at `pos` (length, magic, CRC32C, counts) and returns its header.
 * `maxBatchBytes` bounds one batch (Kafka's max.message.bytes).
 */
export function validateBatch(buf: Buffer, pos: number, maxBatchBytes: number): BatchHeader {
  const remaining = buf.length - pos;
  if (remaining < BATCH.HEADER_SIZE) {
    throw new InvalidBatchError('truncated', pos, `${remaining} bytes left, a batch header needs ${BATCH.HEADER_SIZE}`);
  }
  const size = readBatchSize(buf, pos);
  if (size < BATCH.HEADER_SIZE) {
    throw new InvalidBatchError('invalid-length', pos, `batch length ${size} is smaller than the header`);
  }
  if (size > maxBatchBytes) {
    throw new InvalidBatchError('too-large', pos, `batch of ${size} bytes exceeds the maximum of ${maxBatchBytes}`);
  }
  if (size > remaining) {
    throw new InvalidBatchError('truncated', pos, `batch of ${size} bytes but only ${remaining} bytes left`);
  }
  const magic = buf.readInt8(pos + BATCH.MAGIC);
  if (magic !== CURRENT_MAGIC) {
    throw new InvalidBatchError('bad-magic', pos, `magic ${magic}, only v2 batches are supported`);
  }
  const storedCrc = buf.readUInt32BE(pos + BATCH.CRC);
  const actualCrc = computeCrc(buf, pos, size);
  if (storedCrc !== actualCrc) {
    throw new InvalidBatchError('corrupt-crc', pos, `stored CRC ${storedCrc} != computed ${actualCrc}`);
  }
  const header = readHeader(buf, pos);
  const lastOffsetDelta = header.lastOffset - header.baseOffset;
  if (lastOffsetDelta < 0) {
    throw new InvalidBatchError('invalid-offset-delta', pos, `negative lastOffsetDelta ${lastOffsetDelta}`);
  }
  if (header.recordsCount < 0) {
    throw new InvalidBatchError('invalid-record-count', pos, `negative record count ${header.recordsCount}`);
  }
  return header;
}

/**
 * Extra rules for batches produced by clients (leader appends): at least one record, and
 * lastOffsetDelta == count - 1, because the leader assigns exactly `count` offsets.
 */
export function validateProducedBatch(header: BatchHeader): void {
  if (header.recordsCount === 0) {
    throw new InvalidBatchError('invalid-record-count', header.position, 'a produced batch must hold at least one record');
  }
  const lastOffsetDelta = header.lastOffset - header.baseOffset;
  if (lastOffsetDelta !== header.recordsCount - 1) {
    throw new InvalidBatchError(
      'invalid-record-count',
      header.position,
      `record count ${header.recordsCount} does not match lastOffsetDelta ${lastOffsetDelta}`,
    );
  }
}

export function writeBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BATCH.BASE_OFFSET, baseOffset);
}

export function writePartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + BATCH.PARTITION_LEADER_EPOCH);
}

/** Stamps LogAppendTime: attributes bit 3 and maxTimestamp change, so the CRC is recomputed. */
export function stampLogAppendTime(buf: Buffer, pos: number, size: number, nowMs: number): void {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  buf.writeInt16BE(attributes | ATTR_TIMESTAMP_TYPE_LOG_APPEND, pos + BATCH.ATTRIBUTES);
  writeInt64(buf, pos + BATCH.MAX_TIMESTAMP, nowMs);
  buf.writeUInt32BE(computeCrc(buf, pos, size), pos + BATCH.CRC);
}
