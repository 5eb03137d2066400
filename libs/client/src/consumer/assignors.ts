import { Assignment } from './consumer-protocol';

/** A group member as the leader sees it in JoinGroup: its id and subscribed topics. */
export interface MemberSubscription {
  memberId: string;
  topics: string[];
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

export const ASSIGNORS: Record<string, Assignor> = { range: rangeAssignor, roundrobin: roundRobinAssignor };
