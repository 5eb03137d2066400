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

function putString(parts: Buffer[], value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
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

class Cursor {
  constructor(
    private readonly buf: Buffer,
    public at = 0,
  ) {}
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
  string(): string {
    const length = this.int16();
    if (length < 0) return '';
    this.need(length);
    const v = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return v;
  }
  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError('truncated __consumer_offsets record');
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
