import { crc32c } from '@node-rs/crc32';
import { ATTRIBUTES, BATCH, MAGIC_V2, readInt64 } from './batch-layout';
import { CompressionType, DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression';
import { bufferView } from './buffer-view';
import { CorruptRecordError } from './errors';
import { Cursor } from './varint';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** One record; key, value and header values are views into the batch (or its decompressed records). */
export interface ConsumedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface ReadOptions {
  /** Ceiling for a compressed batch's records once decompressed (default 64 MiB). */
  maxDecompressedBytes?: number;
}

/**
 * A lazy view of one v2 record batch inside a larger buffer (a Fetch response's records, a log
 * segment): header fields are read on access, records are decoded when asked for, and a
 * compressed batch is decompressed once, the first time.
 */
export class RecordBatch {
  private decompressed: Buffer | null = null;

  constructor(
    readonly buf: Buffer,
    readonly position: number,
  ) {}

  get sizeInBytes(): number {
    return this.buf.readInt32BE(this.position + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
  }
  get baseOffset(): number {
    return readInt64(this.buf, this.position + BATCH.BASE_OFFSET);
  }
  get lastOffset(): number {
    return this.baseOffset + this.buf.readInt32BE(this.position + BATCH.LAST_OFFSET_DELTA);
  }
  get partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.position + BATCH.PARTITION_LEADER_EPOCH);
  }
  get attributes(): number {
    return this.buf.readInt16BE(this.position + BATCH.ATTRIBUTES);
  }
  get compression(): CompressionType {
    return this.attributes & ATTRIBUTES.COMPRESSION_MASK;
  }
  get isTransactional(): boolean {
    return (this.attributes & ATTRIBUTES.TRANSACTIONAL) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & ATTRIBUTES.CONTROL) !== 0;
  }
  get isLogAppendTime(): boolean {
    return (this.attributes & ATTRIBUTES.LOG_APPEND_TIME) !== 0;
  }
  get baseTimestamp(): number {
    return readInt64(this.buf, this.position + BATCH.BASE_TIMESTAMP);
  }
  get maxTimestamp(): number {
    return readInt64(this.buf, this.position + BATCH.MAX_TIMESTAMP);
  }
  get producerId(): number {
    return readInt64(this.buf, this.position + BATCH.PRODUCER_ID);
  }
  get producerEpoch(): number {
    return this.buf.readInt16BE(this.position + BATCH.PRODUCER_EPOCH);
  }
  get baseSequence(): number {
    return this.buf.readInt32BE(this.position + BATCH.BASE_SEQUENCE);
  }
  get count(): number {
    return this.buf.readInt32BE(this.position + BATCH.RECORDS_COUNT);
  }

  isCrcValid(): boolean {
    const start = this.position + BATCH.ATTRIBUTES;
    return crc32c(this.buf.subarray(start, this.position + this.sizeInBytes)) === this.buf.readUInt32BE(this.position + BATCH.CRC);
  }

  /**
   * Decodes every record of the batch (a compressed batch is decompressed first). Throws
   * CorruptRecordError or CompressionError on bad bytes. One array, no generator: a consumer
   * decodes millions of records a second, and a generator's resume per record is a third of it.
   */
  records(options: ReadOptions = {}): ConsumedRecord[] {
    const body = this.recordBytes(options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
    const count = this.count;
    // a record takes at least 7 bytes: the bound keeps a forged count from sizing the array
    if (count < 0 || count * MIN_RECORD_BYTES > body.length) throw new CorruptRecordError(`record count ${count} does not fit a batch body of ${body.length} bytes`);
    const cursor = new Cursor(body, 0, body.length);
    const baseOffset = this.baseOffset;
    // with LogAppendTime the broker's time (maxTimestamp) replaces every record's own
    const logAppendTime = this.isLogAppendTime ? this.maxTimestamp : -1;
    const baseTimestamp = this.baseTimestamp;
    const records = new Array<ConsumedRecord>(count);
    for (let i = 0; i < count; i++) {
      const length = cursor.varint();
      const recordEnd = cursor.pos + length;
      if (length < 0 || recordEnd > body.length) throw new CorruptRecordError(`record ${i} of ${count} overruns its batch`);
      const outer = cursor.end;
      cursor.end = recordEnd;
      cursor.pos++; // attributes: unused
      const timestampDelta = cursor.varint();
      const offset = baseOffset + cursor.varint();
      const key = readBytes(cursor);
      const value = readBytes(cursor);
      const headerCount = cursor.varint();
      if (headerCount < 0 || headerCount > length) throw new CorruptRecordError(`record ${i}: bad header count ${headerCount}`);
      let headers: RecordHeader[] = NO_HEADERS;
      if (headerCount > 0) {
        headers = new Array<RecordHeader>(headerCount);
        for (let h = 0; h < headerCount; h++) {
          const headerKey = readBytes(cursor);
          if (headerKey === null) throw new CorruptRecordError(`record ${i}: null header key`);
          headers[h] = { key: headerKey.toString('utf8'), value: readBytes(cursor) };
        }
      }
      if (cursor.pos !== recordEnd) throw new CorruptRecordError(`record ${i}: length ${length} does not match its fields`);
      cursor.end = outer;
      records[i] = { offset, timestamp: logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta, key, value, headers };
    }
    return records;
  }

  private recordBytes(maxBytes: number): Buffer {
    const start = this.position + BATCH.HEADER_SIZE;
    const raw = this.buf.subarray(start, this.position + this.sizeInBytes);
    if (this.compression === CompressionType.None) return raw;
    this.decompressed ??= decompress(this.compression, raw, maxBytes);
    return this.decompressed;
  }
}

/** Length, attributes, timestamp delta, offset delta, key length, value length, header count. */
const MIN_RECORD_BYTES = 7;
const NO_HEADERS: RecordHeader[] = [];
Object.freeze(NO_HEADERS);

function readBytes(cursor: Cursor): Buffer | null {
  const length = cursor.varint();
  if (length < 0) return null;
  const start = cursor.pos;
  if (start + length > cursor.end) throw new CorruptRecordError('record field runs past its record');
  cursor.pos = start + length;
  return bufferView(cursor.buf, start, start + length);
}

/**
 * The batches in `buf` (a Fetch response's records or a segment slice). A trailing partial batch,
 * which brokers may return when a batch does not fit max bytes, is skipped, as clients do.
 * Throws CorruptRecordError for a bad length or a magic other than 2.
 */
export function* readRecordBatches(buf: Buffer): Generator<RecordBatch> {
  let pos = 0;
  while (pos + BATCH.HEADER_SIZE <= buf.length) {
    const length = buf.readInt32BE(pos + BATCH.LENGTH);
    if (length < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) throw new CorruptRecordError(`batch at ${pos}: length ${length} is below the header size`);
    const size = length + BATCH.LOG_OVERHEAD;
    if (pos + size > buf.length) return; // partial batch at the end
    const magic = buf.readInt8(pos + BATCH.MAGIC);
    if (magic !== MAGIC_V2) throw new CorruptRecordError(`batch at ${pos}: magic ${magic} is not supported (only v2)`);
    yield new RecordBatch(buf, pos);
    pos += size;
  }
}
