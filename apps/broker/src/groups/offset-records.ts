/**
 * __consumer_offsets record layouts, as Kafka writes them, so Kafka's own tools can read them:
 * key = OffsetCommitKey v1 (int16 version, string group, string topic, int32 partition);
 * value = OffsetCommitValue v3 (int16 version, int64 offset, int32 leaderEpoch, string metadata,
 * int64 commitTimestamp). Strings are int16-length-prefixed UTF-8. A null value is a tombstone.
 */
export interface OffsetKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

const KEY_VERSION = 1;
const VALUE_VERSION = 3;

/** A __consumer_offsets key or value that does not parse: the loader skips the record. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRecordError';
  }
}

const MAX_INT16 = 0x7fff;

/** Appends an int16-length-prefixed UTF-8 string (null writes length -1). */
export function putString(parts: Buffer[], value: string | null): void {
  const length = Buffer.alloc(2);
  if (value === null) {
    length.writeInt16BE(-1);
    parts.push(length);
    return;
  }
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > MAX_INT16) throw new RangeError(`string of ${bytes.length} bytes does not fit an int16 length`);
  length.writeInt16BE(bytes.length);
  parts.push(length, bytes);
}

export function encodeOffsetKey(key: OffsetKey): Buffer {
  const parts: Buffer[] = [Buffer.from([0, KEY_VERSION])];
  putString(parts, key.group);
  putString(parts, key.topic);
  const partition = Buffer.alloc(4);
  partition.writeInt32BE(key.partition);
  parts.push(partition);
  return Buffer.concat(parts);
}

export function encodeOffsetValue(value: OffsetValue): Buffer {
  const head = Buffer.alloc(2 + 8 + 4);
  head.writeInt16BE(VALUE_VERSION, 0);
  head.writeBigInt64BE(BigInt(value.offset), 2);
  head.writeInt32BE(value.leaderEpoch, 10);
  const parts: Buffer[] = [head];
  putString(parts, value.metadata);
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64BE(BigInt(value.commitTimestamp));
  parts.push(timestamp);
  return Buffer.concat(parts);
}

/** Bounded reader: every read checks the remaining bytes first and throws MalformedRecordError. */
export class Cursor {
  constructor(
    private readonly buf: Buffer,
    public at = 0,
  ) {}
  get remaining(): number {
    return this.buf.length - this.at;
  }
  int8(): number {
    this.need(1);
    const v = this.buf.readInt8(this.at);
    this.at += 1;
    return v;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.at));
    this.at += 8;
    return v;
  }
  /** A string; a null one (length -1) reads as ''. */
  string(): string {
    return this.nullableString() ?? '';
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length < -1) throw new MalformedRecordError(`invalid string length ${length}`);
    if (length === -1) return null;
    this.need(length);
    const v = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return v;
  }
  /** int32-length-prefixed bytes (not nullable), copied out of the record. */
  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) throw new MalformedRecordError(`invalid bytes length ${length}`);
    this.need(length);
    const v = Buffer.from(this.buf.subarray(this.at, this.at + length));
    this.at += length;
    return v;
  }
  private need(n: number): void {
    if (n < 0 || this.at + n > this.buf.length) throw new MalformedRecordError('truncated __consumer_offsets record');
  }
}

/** The offset key, or null for other record kinds (group metadata keys are version 2). */
export function decodeOffsetKey(bytes: Buffer): OffsetKey | null {
  const cursor = new Cursor(bytes);
  const version = cursor.int16();
  if (version !== 0 && version !== 1) return null;
  return { group: cursor.string(), topic: cursor.string(), partition: cursor.int32() };
}

export function decodeOffsetValue(bytes: Buffer): OffsetValue {
  const cursor = new Cursor(bytes);
  const version = cursor.int16();
  if (version < 0 || version > VALUE_VERSION) throw new MalformedRecordError(`unsupported OffsetCommitValue version ${version}`);
  const offset = cursor.int64();
  const leaderEpoch = version >= 3 ? cursor.int32() : -1;
  const metadata = cursor.string();
  const commitTimestamp = cursor.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

/** Kafka's Utils.abs(groupId.hashCode()) % partitions: the group's __consumer_offsets partition. */
export function groupPartition(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(hash, 31) + groupId.charCodeAt(i)) | 0;
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}
