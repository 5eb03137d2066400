import { Cursor, MalformedRecordError, putString } from '../groups/offset-records';
import { MAX_PARTITIONS_PER_TRANSACTION, TransactionMetadata, TxnPartition, TxnState } from './transaction-metadata';

/**
 * __transaction_state record layouts, as Kafka writes them: key = TransactionLogKey v0 (int16
 * version, string transactionalId); value = TransactionLogValue v0 (int16 version, int64
 * producerId, int16 producerEpoch, int32 timeoutMs, int8 state, int32-counted partitions by
 * topic: string topic, int32-counted int32 partitions; int64 lastUpdateTimestamp, int64
 * startTimestamp). Strings are int16-length-prefixed UTF-8. A null value is a tombstone.
 */
const KEY_VERSION = 0;
const VALUE_VERSION = 0;
const MAX_STATE = TxnState.CompleteAbort;

export function encodeTransactionKey(transactionalId: string): Buffer {
  const parts: Buffer[] = [Buffer.from([0, KEY_VERSION])];
  putString(parts, transactionalId);
  return Buffer.concat(parts);
}

export function decodeTransactionKey(bytes: Buffer): string {
  const cursor = new Cursor(bytes);
  const version = cursor.int16();
  if (version !== KEY_VERSION) throw new MalformedRecordError(`unsupported TransactionLogKey version ${version}`);
  return cursor.string();
}

export function encodeTransactionValue(meta: TransactionMetadata): Buffer {
  const head = Buffer.alloc(2 + 8 + 2 + 4 + 1);
  head.writeInt16BE(VALUE_VERSION, 0);
  head.writeBigInt64BE(BigInt(meta.producerId), 2);
  head.writeInt16BE(meta.producerEpoch, 10);
  head.writeInt32BE(meta.timeoutMs, 12);
  head.writeInt8(meta.state, 16);
  const parts: Buffer[] = [head];
  const byTopic = new Map<string, number[]>();
  for (const p of meta.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  parts.push(int32(byTopic.size));
  for (const [topic, partitions] of byTopic) {
    putString(parts, topic);
    parts.push(int32(partitions.length), ...partitions.map(int32));
  }
  const tail = Buffer.alloc(16);
  tail.writeBigInt64BE(BigInt(meta.updatedMs), 0);
  tail.writeBigInt64BE(BigInt(meta.startMs), 8);
  parts.push(tail);
  return Buffer.concat(parts);
}

export function decodeTransactionValue(transactionalId: string, bytes: Buffer): TransactionMetadata {
  const cursor = new Cursor(bytes);
  const version = cursor.int16();
  if (version !== VALUE_VERSION) throw new MalformedRecordError(`unsupported TransactionLogValue version ${version}`);
  const producerId = cursor.int64();
  const producerEpoch = cursor.int16();
  const timeoutMs = cursor.int32();
  const state = cursor.int8();
  if (state < 0 || state > MAX_STATE) throw new MalformedRecordError(`unknown transaction state ${state}`);
  const partitions: TxnPartition[] = [];
  const topics = cursor.int32();
  if (topics < -1 || topics > MAX_PARTITIONS_PER_TRANSACTION) throw new MalformedRecordError(`invalid topic count ${topics}`);
  for (let t = 0; t < topics; t++) {
    const topic = cursor.string();
    const count = cursor.int32();
    if (count < 0 || partitions.length + count > MAX_PARTITIONS_PER_TRANSACTION) throw new MalformedRecordError(`invalid partition count ${count}`);
    for (let i = 0; i < count; i++) partitions.push({ topic, partition: cursor.int32() });
  }
  const updatedMs = cursor.int64();
  const startMs = cursor.int64();
  return { transactionalId, producerId, producerEpoch, timeoutMs, state: state as TxnState, partitions, startMs, updatedMs };
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}
