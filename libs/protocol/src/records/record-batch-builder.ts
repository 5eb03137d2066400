import { crc32c } from '@node-rs/crc32';
import { ATTRIBUTES, BATCH, MAGIC_V2, writeInt64 } from './batch-layout';
import { CompressionType, compress } from './compression';
import { sizeOfVarint, writeVarint } from './varint';

export type Bytes = Buffer | string | null;

export interface RecordHeaderInput {
  key: string;
  value: Bytes;
}

/** Batch-level fields a producer sets; offsets are assigned by the broker. */
export interface BatchFields {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
}

const NO_HEADERS: readonly RecordHeaderInput[] = [];
/** The buffer of a builder whose last batch took its buffer along (see build). */
const NO_BUFFER = Buffer.alloc(0);

function byteLength(value: Bytes): number {
  if (value === null) return -1;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Builds one v2 record batch. Records are written straight into a pooled buffer that grows by
 * doubling and is reused by the next batch: appending allocates nothing per record. `build()`
 * compresses the records (when a codec is set), writes the header and CRC, and returns a fresh
 * buffer the caller owns; the builder is then empty and ready for the next batch.
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private end: number = BATCH.HEADER_SIZE;
  private recordCount = 0;
  private baseTimestamp = 0;
  private maxTimestamp = -1;

  private readonly initialCapacity: number;

  constructor(
    readonly compression: CompressionType = CompressionType.None,
    initialCapacity = 16 * 1024,
  ) {
    this.initialCapacity = Math.max(initialCapacity, BATCH.HEADER_SIZE + 64);
    this.buf = Buffer.allocUnsafe(this.initialCapacity);
  }

  get count(): number {
    return this.recordCount;
  }

  /** Uncompressed size of the batch so far, header included. */
  get sizeInBytes(): number {
    return this.end;
  }

  /** False once build() handed the buffer over with a full batch, until recycle() gives one back. */
  get hasBuffer(): boolean {
    return this.buf !== NO_BUFFER;
  }

  /**
   * Gives a builder that handed its buffer over (hasBuffer false) the buffer of such a full batch
   * back to write into, once nothing reads that batch any more (a producer: once the broker has
   * acknowledged it), so a steady stream of batches reuses warm memory instead of allocating.
   * The caller guarantees `batch` is a whole buffer a builder handed over; returns false (and
   * keeps nothing) when this builder does not need it or the buffer is too small.
   */
  recycle(batch: Buffer): boolean {
    if (this.buf !== NO_BUFFER || this.recordCount > 0 || batch.byteOffset !== 0 || batch.buffer.byteLength < this.initialCapacity) return false;
    this.buf = Buffer.from(batch.buffer, 0, batch.buffer.byteLength);
    return true;
  }

  /** Bytes `append` would add for this record (the producer uses it to decide when a batch is full). */
  static recordSize(key: Bytes, value: Bytes, timestampDelta: number, offsetDelta: number, headers: readonly RecordHeaderInput[] = NO_HEADERS): number {
    const body = RecordBatchBuilder.bodySize(byteLength(key), byteLength(value), timestampDelta, offsetDelta, headers);
    return sizeOfVarint(body) + body;
  }

  append(key: Bytes, value: Bytes, timestamp = Date.now(), headers: readonly RecordHeaderInput[] = NO_HEADERS): void {
    this.tryAppend(key, value, timestamp, headers, Infinity);
  }

  /**
   * Appends the record unless the batch already holds records and would then be larger than
   * `maxBytes`. Returns the bytes the record added, or -1 when it was not appended: a producer
   * asks once per record, and the size is worked out once for both the check and the write.
   */
  tryAppend(key: Bytes, value: Bytes, timestamp: number, headers: readonly RecordHeaderInput[], maxBytes: number): number {
    const first = this.recordCount === 0;
    const timestampDelta = first ? 0 : timestamp - this.baseTimestamp;
    const offsetDelta = this.recordCount;
    const keyLength = byteLength(key);
    const valueLength = byteLength(value);
    const body = RecordBatchBuilder.bodySize(keyLength, valueLength, timestampDelta, offsetDelta, headers);
    const size = sizeOfVarint(body) + body;
    if (!first && this.end + size > maxBytes) return -1;
    if (first) this.baseTimestamp = timestamp;
    this.ensure(size);
    const buf = this.buf;
    let pos = writeVarint(buf, this.end, body);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarint(buf, pos, timestampDelta);
    pos = writeVarint(buf, pos, offsetDelta);
    pos = this.writeBytes(pos, key, keyLength);
    pos = this.writeBytes(pos, value, valueLength);
    pos = writeVarint(buf, pos, headers.length);
    for (const header of headers) {
      pos = this.writeBytes(pos, header.key, Buffer.byteLength(header.key));
      pos = this.writeBytes(pos, header.value, byteLength(header.value));
    }
    this.end = pos;
    this.recordCount++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return size;
  }

  /**
   * The finished batch in a buffer the caller owns; the builder is reset. Throws when empty. A
   * batch that fills most of the builder's buffer takes the buffer itself (the builder allocates
   * a fresh one when it is next written to), which saves copying every record once more; a small
   * batch is copied out, so it does not pin a buffer sized for a full one.
   */
  build(fields: BatchFields = {}): Buffer {
    if (this.recordCount === 0) throw new RangeError('a record batch needs at least one record');
    let out: Buffer;
    if (this.compression !== CompressionType.None) {
      const payload = compress(this.compression, this.buf.subarray(BATCH.HEADER_SIZE, this.end));
      out = Buffer.allocUnsafe(BATCH.HEADER_SIZE + payload.length);
      payload.copy(out, BATCH.HEADER_SIZE);
    } else if (this.end * 2 >= this.buf.length) {
      out = this.buf.subarray(0, this.end);
      this.buf = NO_BUFFER;
    } else {
      out = Buffer.allocUnsafe(this.end);
      this.buf.copy(out, BATCH.HEADER_SIZE, BATCH.HEADER_SIZE, this.end);
    }
    writeInt64(out, BATCH.BASE_OFFSET, fields.baseOffset ?? 0);
    out.writeInt32BE(out.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
    out.writeInt32BE(fields.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
    out.writeInt8(MAGIC_V2, BATCH.MAGIC);
    let attributes = this.compression;
    if (fields.transactional) attributes |= ATTRIBUTES.TRANSACTIONAL;
    if (fields.control) attributes |= ATTRIBUTES.CONTROL;
    out.writeInt16BE(attributes, BATCH.ATTRIBUTES);
    out.writeInt32BE(this.recordCount - 1, BATCH.LAST_OFFSET_DELTA);
    writeInt64(out, BATCH.BASE_TIMESTAMP, this.baseTimestamp);
    writeInt64(out, BATCH.MAX_TIMESTAMP, this.maxTimestamp);
    writeInt64(out, BATCH.PRODUCER_ID, fields.producerId ?? -1);
    out.writeInt16BE(fields.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
    out.writeInt32BE(fields.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
    out.writeInt32BE(this.recordCount, BATCH.RECORDS_COUNT);
    out.writeUInt32BE(crc32c(out.subarray(BATCH.ATTRIBUTES)), BATCH.CRC);
    this.reset();
    return out;
  }

  reset(): void {
    this.end = BATCH.HEADER_SIZE;
    this.recordCount = 0;
    this.maxTimestamp = -1;
  }

  private static bodySize(keyLength: number, valueLength: number, timestampDelta: number, offsetDelta: number, headers: readonly RecordHeaderInput[]): number {
    let size = 1 + sizeOfVarint(timestampDelta) + sizeOfVarint(offsetDelta);
    size += sizeOfVarint(keyLength) + Math.max(keyLength, 0);
    size += sizeOfVarint(valueLength) + Math.max(valueLength, 0);
    size += sizeOfVarint(headers.length);
    for (const header of headers) {
      const k = Buffer.byteLength(header.key);
      const v = byteLength(header.value);
      size += sizeOfVarint(k) + k + sizeOfVarint(v) + Math.max(v, 0);
    }
    return size;
  }

  private writeBytes(pos: number, value: Bytes, length: number): number {
    pos = writeVarint(this.buf, pos, length);
    if (value === null) return pos;
    if (typeof value === 'string') this.buf.write(value, pos, length, 'utf8');
    else this.buf.set(value, pos); // TypedArray#set: cheaper than Buffer#copy for record-sized values
    return pos + length;
  }

  private ensure(extra: number): void {
    if (this.end + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.initialCapacity, this.buf.length * 2, this.end + extra));
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
  }
}

export interface RecordInput {
  key?: Bytes;
  value: Bytes;
  timestamp?: number;
  headers?: RecordHeaderInput[];
}

/** One batch from a list of records (tools and tests; producers keep a builder). */
export function encodeRecordBatch(records: RecordInput[], fields: BatchFields & { compression?: CompressionType } = {}): Buffer {
  const builder = new RecordBatchBuilder(fields.compression);
  const now = Date.now();
  for (const record of records) builder.append(record.key ?? null, record.value, record.timestamp ?? now, record.headers);
  return builder.build(fields);
}
