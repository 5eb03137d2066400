import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH, CURRENT_MAGIC, computeCrc } from './batch-header';
import { InvalidBatchError } from './errors';

/**
 * Uncompressed record batch v2 encoding and decoding. The append and read paths never call this:
 * it serves background work (compaction), timestamp lookups, the Raft log and tests.
 * Compressed batches are handled through an injected codec (see BatchCodec), because the engine
 * carries no compression libraries.
 */

export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface NewRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: number;
  headers?: { key: string; value: Buffer | string | null }[];
}

export interface BatchOptions {
  baseOffset?: number;
  timestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  transactional?: boolean;
  control?: boolean;
  /** Only for compaction output: offsets of the kept records, ascending, relative to baseOffset. */
  offsetDeltas?: number[];
  lastOffsetDelta?: number;
}

/** Reads and writes records of compressed batches; supplied by the broker from libs/protocol. */
export interface BatchCodec {
  decodeRecords(batch: Buffer): LogRecord[];
  /** The records section of a batch (what follows its header) compressed with `compression` (the attributes' codec id). */
  compressRecords(compression: number, records: Buffer): Buffer;
}

const MAX_VARINT_BYTES = 10;

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

class ByteWriter {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(MAX_VARINT_BYTES);
    // zigzag on a safe integer; records use varlong for timestamps, so go through BigInt only when large
    let zz = value >= 0 ? BigInt(value) * 2n : BigInt(-value) * 2n - 1n;
    do {
      let byte = Number(zz & 0x7fn);
      zz >>= 7n;
      if (zz !== 0n) byte |= 0x80;
      this.buf[this.length++] = byte;
    } while (zz !== 0n);
  }

  bytes(value: Buffer | null): void {
    if (value === null) {
      this.varint(-1);
      return;
    }
    this.varint(value.length);
    this.raw(value);
  }

  raw(value: Buffer): void {
    this.ensure(value.length);
    value.copy(this.buf, this.length);
    this.length += value.length;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Encodes one uncompressed v2 batch with a valid CRC. */
export function encodeBatch(records: NewRecord[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const baseTimestamp = options.timestamp ?? records[0].timestamp ?? Date.now();
  let maxTimestamp = -1;
  const body = new ByteWriter();
  records.forEach((record, index) => {
    const timestamp = record.timestamp ?? baseTimestamp;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    const one = new ByteWriter();
    one.raw(Buffer.of(0)); // record attributes
    one.varint(timestamp - baseTimestamp);
    one.varint(options.offsetDeltas?.[index] ?? index);
    one.bytes(toBuffer(record.key));
    one.bytes(toBuffer(record.value));
    const headers = record.headers ?? [];
    one.varint(headers.length);
    for (const header of headers) {
      one.bytes(Buffer.from(header.key));
      one.bytes(toBuffer(header.value));
    }
    const encoded = one.result();
    body.varint(encoded.length);
    body.raw(encoded);
  });
  const recordsBytes = body.result();
  const size = BATCH.HEADER_SIZE + recordsBytes.length;
  const buf = Buffer.alloc(size);
  buf.writeBigInt64BE(BigInt(options.baseOffset ?? 0), BATCH.BASE_OFFSET);
  buf.writeInt32BE(size - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
  buf.writeInt8(CURRENT_MAGIC, BATCH.MAGIC);
  let attributes = 0;
  if (options.transactional) attributes |= ATTR_TRANSACTIONAL;
  if (options.control) attributes |= ATTR_CONTROL;
  buf.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  const lastOffsetDelta = options.lastOffsetDelta ?? options.offsetDeltas?.at(-1) ?? records.length - 1;
  buf.writeInt32BE(lastOffsetDelta, BATCH.LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(baseTimestamp), BATCH.BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(maxTimestamp), BATCH.MAX_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(options.producerId ?? -1), BATCH.PRODUCER_ID);
  buf.writeInt16BE(options.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  buf.writeInt32BE(options.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  buf.writeInt32BE(records.length, BATCH.RECORDS_COUNT);
  recordsBytes.copy(buf, BATCH.HEADER_SIZE);
  buf.writeUInt32BE(computeCrc(buf, 0, size), BATCH.CRC);
  return buf;
}

class ByteReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
    private readonly batchPosition: number,
  ) {}

  private fail(detail: string): never {
    throw new InvalidBatchError('invalid-record-count', this.batchPosition, detail);
  }

  varint(): number {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) this.fail('record varint runs past the batch');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return Number((result >> 1n) ^ -(result & 1n));
    }
    return this.fail('record varint longer than 10 bytes');
  }

  bytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    if (this.pos + length > this.end) this.fail('record field runs past the batch');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/** Decodes the records of the uncompressed batch at `pos` (throws for a compressed batch). */
export function decodeRecords(buf: Buffer, pos = 0): LogRecord[] {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  if ((attributes & ATTR_COMPRESSION_MASK) !== 0) {
    throw new InvalidBatchError('invalid-record-count', pos, 'compressed batch: decode it with a BatchCodec');
  }
  const baseOffset = Number(buf.readBigInt64BE(pos + BATCH.BASE_OFFSET));
  const baseTimestamp = Number(buf.readBigInt64BE(pos + BATCH.BASE_TIMESTAMP));
  const count = buf.readInt32BE(pos + BATCH.RECORDS_COUNT);
  const end = pos + buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
  const reader = new ByteReader(buf, pos + BATCH.HEADER_SIZE, end, pos);
  const records: LogRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.varint();
    const recordEnd = reader.pos + length;
    if (length < 0 || recordEnd > end) throw new InvalidBatchError('invalid-record-count', pos, `record ${i} overruns the batch`);
    reader.pos += 1; // attributes
    const timestamp = baseTimestamp + reader.varint();
    const offset = baseOffset + reader.varint();
    const key = reader.bytes();
    const value = reader.bytes();
    const headerCount = reader.varint();
    if (headerCount < 0 || headerCount > length) throw new InvalidBatchError('invalid-record-count', pos, 'bad header count');
    const headers: LogRecord['headers'] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = reader.bytes();
      headers.push({ key: headerKey?.toString() ?? '', value: reader.bytes() });
    }
    if (reader.pos !== recordEnd) throw new InvalidBatchError('invalid-record-count', pos, `record ${i} length mismatch`);
    records.push({ offset, timestamp, key, value, headers });
  }
  return records;
}
