import { MemberSubscription } from './assignors';
import { Assignment } from './consumer-protocol';
import { cooperativeStickyAssignor } from './cooperative-sticky-assignor';

type Owned = Record<string, string[]>; // member -> ["topic-partition"]

const flat = (a: Assignment | undefined): string[] => [...(a ?? [])].flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`)).sort();
const toAssignment = (tps: string[]): Assignment => {
  const out: Assignment = new Map();
  for (const tp of tps) {
    const at = tp.lastIndexOf('-');
    const topic = tp.slice(0, at);
    out.set(topic, [...(out.get(topic) ?? []), Number(tp.slice(at + 1))]);
  }
  return out;
};

/** One rebalance round: every member reports what it owns (in `generation`), the leader assigns. */
function round(subscriptions: Record<string, string[]>, owned: Owned, counts: Record<string, number>, generation = 1): Owned {
  const members: MemberSubscription[] = Object.entries(subscriptions).map(([memberId, topics]) => ({ memberId, topics, ownedPartitions: toAssignment(owned[memberId] ?? []), generationId: generation }));
  const result = cooperativeStickyAssignor(members, new Map(Object.entries(counts)));
  return Object.fromEntries(Object.keys(subscriptions).map((id) => [id, flat(result.get(id))]));
}

/**
 * The cooperative protocol as members run it: assign, members drop what they lost, and while
 * anyone revoked something, rejoin. Returns every round's result; asserts the protocol's
 * invariants on the way: no partition with two owners, and none handed to a member while
 * another member still holds it.
 */
function settle(subscriptions: Record<string, string[]>, owned: Owned, counts: Record<string, number>): Owned[] {
  const rounds: Owned[] = [];
  let current = owned;
  for (let generation = 1; generation <= 10; generation++) {
    const next = round(subscriptions, current, counts, generation);
    const everyOwned = Object.values(next).flat();
    expect(new Set(everyOwned).size).toBe(everyOwned.length);
    for (const id of Object.keys(subscriptions)) {
      // a partition reaches a new owner only in a round after its old owner gave it up
      const gained = next[id].filter((tp) => !(current[id] ?? []).includes(tp));
      for (const tp of gained) expect(Object.entries(current).some(([other, tps]) => other !== id && subscriptions[other] && tps.includes(tp))).toBe(false);
    }
    rounds.push(next);
    const revoked = Object.keys(subscriptions).some((id) => (current[id] ?? []).some((tp) => !next[id].includes(tp)));
    if (!revoked) return rounds;
    current = next;
  }
  throw new Error('no stable assignment after 10 rounds');
}

const partitionsOf = (counts: Record<string, number>) => Object.entries(counts).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`)).sort();

/** A small seeded PRNG (mulberry32), so a failing case reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('cooperative-sticky assignor', () => {
  it('a new group gets a balanced assignment in one round', () => {
    const rounds = settle({ a: ['t'], b: ['t'], c: ['t'] }, {}, { t: 7 });
    expect(rounds).toHaveLength(1);
    const sizes = Object.values(rounds[0]).map((tps) => tps.length).sort();
    expect(sizes).toEqual([2, 2, 3]);
    expect(Object.values(rounds[0]).flat().sort()).toEqual(partitionsOf({ t: 7 }));
  });

  it('a member joining: others keep all but what it takes; what moves is first revoked, then assigned in the follow-up round', () => {
    const owned: Owned = { a: ['t-0', 't-1', 't-2'], b: ['t-3', 't-4', 't-5'] };
    const [first, second, ...rest] = settle({ a: ['t'], b: ['t'], c: ['t'] }, owned, { t: 6 });
    expect(rest).toEqual([]);
    // round 1: a and b each give up one partition, c gets nothing yet (nobody gets a partition someone else still holds)
    expect(first.c).toEqual([]);
    expect(first.a).toHaveLength(2);
    expect(first.b).toHaveLength(2);
    for (const id of ['a', 'b']) for (const tp of first[id]) expect(owned[id]).toContain(tp);
    // round 2: the two freed partitions go to c; a and b keep exactly what they kept in round 1
    expect(second.a).toEqual(first.a);
    expect(second.b).toEqual(first.b);
    expect(second.c.sort()).toEqual(partitionsOf({ t: 6 }).filter((tp) => !first.a.includes(tp) && !first.b.includes(tp)));
  });

  it('a member leaving: its partitions go to the others at once, nobody else moves', () => {
    const owned: Owned = { a: ['t-0', 't-1'], b: ['t-2', 't-3'], c: ['t-4', 't-5'] };
    const rounds = settle({ a: ['t'], b: ['t'] }, owned, { t: 6 });
    expect(rounds).toHaveLength(1);
    expect(rounds[0].a).toEqual(expect.arrayContaining(owned.a));
    expect(rounds[0].b).toEqual(expect.arrayContaining(owned.b));
    expect([...rounds[0].a, ...rounds[0].b].sort()).toEqual(partitionsOf({ t: 6 }));
    expect(rounds[0].a).toHaveLength(3);
  });

  it('a balanced group rejoining keeps exactly its assignment (no revocation at all)', () => {
    const owned: Owned = { a: ['t-1', 't-4'], b: ['t-0', 't-3', 'u-0'], c: ['t-2', 'u-1'] };
    const rounds = settle({ a: ['t', 'u'], b: ['t', 'u'], c: ['t', 'u'] }, owned, { t: 5, u: 2 });
    expect(rounds).toEqual([owned]);
  });

  it('two members claiming one partition: the higher generation keeps it', () => {
    const members: MemberSubscription[] = [
      { memberId: 'a', topics: ['t'], ownedPartitions: toAssignment(['t-0', 't-1']), generationId: 4 },
      { memberId: 'b', topics: ['t'], ownedPartitions: toAssignment(['t-1']), generationId: 5 },
    ];
    const result = cooperativeStickyAssignor(members, new Map([['t', 2]]));
    expect(flat(result.get('b'))).toEqual(['t-1']);
    expect(flat(result.get('a'))).toEqual(['t-0']);
  });

  it('owned partitions of topics a member left, or that no longer exist, are not kept', () => {
    const members: MemberSubscription[] = [
      { memberId: 'a', topics: ['u'], ownedPartitions: toAssignment(['t-0', 'u-7', 'u-0']), generationId: 1 },
      { memberId: 'b', topics: ['t', 'u'], ownedPartitions: new Map(), generationId: 1 },
    ];
    const result = cooperativeStickyAssignor(members, new Map([['t', 1], ['u', 2]]));
    expect(flat(result.get('a'))).toContain('u-0');
    expect(flat(result.get('b'))).toContain('t-0');
    expect([...flat(result.get('a')), ...flat(result.get('b'))].sort()).toEqual(['t-0', 'u-0', 'u-1']);
  });

  it('different subscriptions: each partition only to a subscriber, all of them assigned', () => {
    const subscriptions = { a: ['t'], b: ['t', 'u'], c: ['u'] };
    const [result] = settle(subscriptions, {}, { t: 4, u: 4 });
    expect(result.a.every((tp) => tp.startsWith('t-'))).toBe(true);
    expect(result.c.every((tp) => tp.startsWith('u-'))).toBe(true);
    expect(Object.values(result).flat().sort()).toEqual(partitionsOf({ t: 4, u: 4 }));
    const sizes = Object.values(result).map((tps) => tps.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('random membership changes: settles within two rounds, balanced, every partition once, kept partitions never revoked', () => {
    const random = rng(429);
    for (let trial = 0; trial < 200; trial++) {
      const counts = { t: 1 + Math.floor(random() * 12), u: Math.floor(random() * 6) };
      const pool = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
      const pick = () => pool.filter(() => random() < 0.6);
      const picked = [pick(), pick()];
      const before = picked[0].length > 0 ? picked[0] : ['m0'];
      const after = picked[1].length > 0 ? picked[1] : ['m1'];
      const topics = Object.keys(counts).filter((t) => counts[t as keyof typeof counts] > 0);
      // start from a settled assignment of the first membership
      const initial = settle(Object.fromEntries(before.map((id) => [id, topics])), {}, counts).at(-1)!;
      const rounds = settle(Object.fromEntries(after.map((id) => [id, topics])), initial, counts);
      expect(rounds.length).toBeLessThanOrEqual(2);
      const final = rounds.at(-1)!;
      expect(Object.values(final).flat().sort()).toEqual(partitionsOf(counts));
      const sizes = Object.values(final).map((tps) => tps.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // a partition that ends with its previous owner was never taken away from it in between
      for (const id of after) {
        for (const tp of final[id]) if ((initial[id] ?? []).includes(tp)) for (const r of rounds) expect(r[id]).toContain(tp);
      }
    }
  });
});
