import { Reader, Writer } from '@tributary/protocol';

/**
 * The "consumer" embedded protocol of the classic group protocol: what members put in JoinGroup
 * (their subscription) and what the leader hands out in SyncGroup (assignments). Layouts of
 * Kafka's ConsumerProtocolSubscription / ConsumerProtocolAssignment; we write v0, which every
 * client reads, and read any version (later fields are ignored).
 */

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
}

/** topic -> partitions */
export type Assignment = Map<string, number[]>;

export function encodeSubscription(topics: string[], userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.int16(0);
  w.int32(topics.length);
  for (const topic of topics) w.string(topic);
  w.nullableBytes(userData);
  return w.finishCopy();
}

export function decodeSubscription(data: Buffer): Subscription {
  const r = new Reader(data);
  r.int16(); // version: fields beyond v0's come after the ones we read
  const count = r.arrayLength(false);
  const topics: string[] = [];
  for (let i = 0; i < count; i++) topics.push(r.string());
  const userData = r.remaining >= 4 ? r.nullableBytes() : null;
  return { topics, userData };
}

export function encodeAssignment(assignment: Assignment, userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.int16(0);
  w.int32(assignment.size);
  for (const [topic, partitions] of assignment) {
    w.string(topic);
    w.int32(partitions.length);
    for (const p of partitions) w.int32(p);
  }
  w.nullableBytes(userData);
  return w.finishCopy();
}

export function decodeAssignment(data: Buffer): Assignment {
  const assignment: Assignment = new Map();
  if (data.length === 0) return assignment; // a member left out of the assignment
  const r = new Reader(data);
  r.int16();
  const topics = r.arrayLength(false);
  for (let t = 0; t < topics; t++) {
    const topic = r.string();
    const count = r.arrayLength(false);
    const partitions: number[] = [];
    for (let i = 0; i < count; i++) partitions.push(r.int32());
    assignment.set(topic, partitions);
  }
  return assignment;
}
