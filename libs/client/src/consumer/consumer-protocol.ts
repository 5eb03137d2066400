import { Reader, Writer } from '@tributary/protocol';

/**
 * The "consumer" embedded protocol of the classic group protocol: what members put in JoinGroup
 * (their subscription) and what the leader hands out in SyncGroup (assignments). Layouts of
 * Kafka's ConsumerProtocolSubscription / ConsumerProtocolAssignment. Subscriptions are written as
 * v2 (the owned partitions and their generation, which cooperative rebalancing needs); every
 * client reads that, since readers skip fields beyond their version. We read any version, and
 * take v1+ fields only when present (kafkajs labels its v0 layout version 1).
 */

/** topic -> partitions */
export type Assignment = Map<string, number[]>;

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  /** v1+: the partitions the member held when it rejoined (empty before v1). */
  ownedPartitions: Assignment;
  /** v2+: the generation in which it held them; -1 when unknown. */
  generationId: number;
  /** v3+: the member's rack. */
  rackId: string | null;
}

export const SUBSCRIPTION_VERSION = 2;

export interface SubscriptionFields {
  userData?: Buffer | null;
  ownedPartitions?: Assignment;
  generationId?: number;
}

export function encodeSubscription(topics: string[], fields: SubscriptionFields = {}): Buffer {
  const w = new Writer();
  w.int16(SUBSCRIPTION_VERSION);
  w.int32(topics.length);
  for (const topic of topics) w.string(topic);
  w.nullableBytes(fields.userData ?? null);
  writeTopicPartitions(w, fields.ownedPartitions ?? new Map());
  w.int32(fields.generationId ?? -1);
  return w.finishCopy();
}

export function decodeSubscription(data: Buffer): Subscription {
  const r = new Reader(data);
  const version = r.int16();
  const count = r.arrayLength(false);
  const topics: string[] = [];
  for (let i = 0; i < count; i++) topics.push(r.string());
  const userData = r.remaining >= 4 ? r.nullableBytes() : null;
  const ownedPartitions = version >= 1 && r.remaining >= 4 ? readTopicPartitions(r) : new Map<string, number[]>();
  const generationId = version >= 2 && r.remaining >= 4 ? r.int32() : -1;
  const rackId = version >= 3 && r.remaining >= 2 ? r.nullableString() : null;
  return { topics, userData, ownedPartitions, generationId, rackId };
}

export function encodeAssignment(assignment: Assignment, userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.int16(0);
  writeTopicPartitions(w, assignment);
  w.nullableBytes(userData);
  return w.finishCopy();
}

export function decodeAssignment(data: Buffer): Assignment {
  if (data.length === 0) return new Map(); // a member left out of the assignment
  const r = new Reader(data);
  r.int16();
  return readTopicPartitions(r);
}

function writeTopicPartitions(w: Writer, partitions: Assignment): void {
  w.int32(partitions.size);
  for (const [topic, list] of partitions) {
    w.string(topic);
    w.int32(list.length);
    for (const p of list) w.int32(p);
  }
}

function readTopicPartitions(r: Reader): Assignment {
  const out: Assignment = new Map();
  const topics = r.arrayLength(false);
  for (let t = 0; t < topics; t++) {
    const topic = r.string();
    const count = r.arrayLength(false);
    const partitions: number[] = [];
    for (let i = 0; i < count; i++) partitions.push(r.int32());
    out.set(topic, partitions);
  }
  return out;
}
