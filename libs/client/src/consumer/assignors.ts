import { Assignment } from './consumer-protocol';
import { cooperativeStickyAssignor } from './cooperative-sticky-assignor';

/** A group member as the leader sees it in JoinGroup: its id, subscribed topics and what it owned. */
export interface MemberSubscription {
  memberId: string;
  topics: string[];
  /** Partitions the member held when it rejoined (ConsumerProtocolSubscription v1+); sticky assignors keep them. */
  ownedPartitions?: Assignment;
  /** The generation it held them in (v2+), which settles two members claiming one partition. */
  generationId?: number;
}

/** Computes every member's partitions from the subscriptions and the topics' partition counts. */
export type Assignor = (members: MemberSubscription[], partitionCounts: Map<string, number>) => Map<string, Assignment>;

function emptyAssignments(members: MemberSubscription[]): Map<string, Assignment> {
  return new Map(members.map((m) => [m.memberId, new Map()]));
}

function give(assignments: Map<string, Assignment>, memberId: string, topic: string, partition: number): void {
  const assignment = assignments.get(memberId)!;
  const list = assignment.get(topic) ?? [];
  list.push(partition);
  assignment.set(topic, list);
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members in id order each take a consecutive
 * range; the first (count % members) take one extra.
 */
export const rangeAssignor: Assignor = (members, partitionCounts) => {
  const assignments = emptyAssignments(members);
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subscribed = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
    if (subscribed.length === 0) continue;
    const base = Math.floor(count / subscribed.length);
    const extra = count % subscribed.length;
    let next = 0;
    subscribed.forEach((memberId, i) => {
      const take = base + (i < extra ? 1 : 0);
      for (let p = next; p < next + take; p++) give(assignments, memberId, topic, p);
      next += take;
    });
  }
  return assignments;
};

/**
 * Kafka's RoundRobinAssignor: all topic-partitions in (topic, partition) order are dealt to the
 * members in id order, skipping members not subscribed to the partition's topic.
 */
export const roundRobinAssignor: Assignor = (members, partitionCounts) => {
  const assignments = emptyAssignments(members);
  const ids = members.map((m) => m.memberId).sort();
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  let cursor = 0;
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!ids.some((id) => topicsOf.get(id)!.has(topic))) continue;
    for (let p = 0; p < count; p++) {
      while (!topicsOf.get(ids[cursor % ids.length])!.has(topic)) cursor++;
      give(assignments, ids[cursor % ids.length], topic, p);
      cursor++;
    }
  }
  return assignments;
};

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export const ASSIGNORS: Record<AssignorName, Assignor> = { range: rangeAssignor, roundrobin: roundRobinAssignor, 'cooperative-sticky': cooperativeStickyAssignor };

/** Assignors whose members follow the cooperative protocol (revoke only what moves, then rejoin). */
export const COOPERATIVE_ASSIGNORS: ReadonlySet<string> = new Set<AssignorName>(['cooperative-sticky']);
