import type { Assignor, MemberSubscription } from './assignors';
import type { Assignment } from './consumer-protocol';

/**
 * Kafka's CooperativeStickyAssignor (KIP-429): a balanced assignment that keeps every partition
 * with the member that owned it whenever balance allows, computed from the owned partitions each
 * member reports in its subscription. Cooperative rule: a partition moving from one member to
 * another is left out of this round altogether; its owner sees it missing, revokes it (after
 * committing) and rejoins, and the follow-up rebalance hands it to the new member. So no
 * partition ever has two consumers, and partitions that stay put are never revoked.
 *
 * Balance: every partition goes to a subscribed member; with equal subscriptions the members'
 * counts differ by at most one. A member's previously owned partitions are given up only to
 * reach that balance, the ones it received most recently first.
 */
export const cooperativeStickyAssignor: Assignor = (members, partitionCounts) => {
  const ids = members.map((m) => m.memberId).sort(compare);
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const all = allPartitions(members, partitionCounts);
  const previousOwner = validPreviousOwners(members, partitionCounts, topicsOf);

  const held = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const tp of all) {
    const owner = previousOwner.get(tp);
    if (owner !== undefined) held.get(owner)!.push(tp);
  }
  const eligible = (id: string, tp: string) => topicsOf.get(id)!.has(topicOf(tp));
  const leastLoaded = (tp: string, below = Infinity): string | undefined => {
    let best: string | undefined;
    for (const id of ids) {
      const count = held.get(id)!.length;
      if (count < below && eligible(id, tp) && (best === undefined || count < held.get(best)!.length)) best = id;
    }
    return best;
  };
  for (const tp of all) {
    if (previousOwner.has(tp)) continue;
    const id = leastLoaded(tp);
    if (id !== undefined) held.get(id)!.push(tp);
  }
  // Move one partition at a time from a fullest member to a member holding at least two fewer
  // that may take it. Each move lowers the sum of squared counts, so the loop ends; the bound is
  // a guard, never reached.
  const maxMoves = all.length * Math.max(1, ids.length);
  for (let moves = 0; moves < maxMoves; moves++) {
    if (!moveOne(ids, held, leastLoaded)) break;
  }

  const assignments = new Map<string, Assignment>(ids.map((id) => [id, new Map()]));
  for (const [id, tps] of held) {
    for (const tp of tps.sort(comparePartitions)) {
      const owner = previousOwner.get(tp);
      if (owner !== undefined && owner !== id) continue; // moving: its owner revokes it first
      const assignment = assignments.get(id)!;
      const topic = topicOf(tp);
      assignment.set(topic, [...(assignment.get(topic) ?? []), partitionOf(tp)]);
    }
  }
  return assignments;
};

/** Moves the most recently taken movable partition of the fullest possible donor; false when balanced. */
function moveOne(ids: string[], held: Map<string, string[]>, leastLoaded: (tp: string, below?: number) => string | undefined): boolean {
  const donors = [...ids].sort((a, b) => held.get(b)!.length - held.get(a)!.length || compare(a, b));
  for (const donor of donors) {
    const tps = held.get(donor)!;
    // newest first: partitions this round gave the donor move before ones it owned
    for (let i = tps.length - 1; i >= 0; i--) {
      const receiver = leastLoaded(tps[i], tps.length - 1);
      if (receiver === undefined) continue;
      held.get(receiver)!.push(tps[i]);
      tps.splice(i, 1);
      return true;
    }
  }
  return false;
}

/**
 * Owners whose claims stand: the partition still exists and the member still subscribes to its
 * topic. Two members claiming one partition (one missed a rebalance) are settled by the higher
 * generation, then the lower member id, as the Java assignor settles them by generation.
 */
function validPreviousOwners(members: MemberSubscription[], partitionCounts: Map<string, number>, topicsOf: Map<string, Set<string>>): Map<string, string> {
  const claims = new Map<string, { memberId: string; generationId: number }>();
  for (const member of members) {
    const generationId = member.generationId ?? -1;
    for (const [topic, partitions] of member.ownedPartitions ?? []) {
      if (!topicsOf.get(member.memberId)!.has(topic)) continue;
      const count = partitionCounts.get(topic) ?? 0;
      for (const partition of partitions) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) continue;
        const tp = tpKey(topic, partition);
        const other = claims.get(tp);
        const wins = !other || generationId > other.generationId || (generationId === other.generationId && compare(member.memberId, other.memberId) < 0);
        if (wins) claims.set(tp, { memberId: member.memberId, generationId });
      }
    }
  }
  return new Map([...claims].map(([tp, claim]) => [tp, claim.memberId]));
}

/** Every partition of a topic someone subscribes to, in (topic, partition) order. */
function allPartitions(members: MemberSubscription[], partitionCounts: Map<string, number>): string[] {
  const subscribed = new Set(members.flatMap((m) => m.topics));
  const out: string[] = [];
  for (const topic of [...partitionCounts.keys()].filter((t) => subscribed.has(t)).sort(compare)) {
    for (let p = 0; p < partitionCounts.get(topic)!; p++) out.push(tpKey(topic, p));
  }
  return out;
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function topicOf(tp: string): string {
  return tp.slice(0, tp.lastIndexOf('\u0000'));
}

function partitionOf(tp: string): number {
  return Number(tp.slice(tp.lastIndexOf('\u0000') + 1));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePartitions(a: string, b: string): number {
  return compare(topicOf(a), topicOf(b)) || partitionOf(a) - partitionOf(b);
}
