import { AssignerProtocol } from 'kafkajs';
import { rangeAssignor, roundRobinAssignor } from './assignors';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol';

const plain = (m: Map<string, Map<string, number[]>>) => Object.fromEntries([...m].map(([id, a]) => [id, Object.fromEntries(a)]));

describe('assignors', () => {
  it('range: consecutive ranges per topic, the first members take the remainder (Kafka\'s RangeAssignor example)', () => {
    const members = [{ memberId: 'C1', topics: ['t0', 't1'] }, { memberId: 'C0', topics: ['t0', 't1'] }];
    const result = rangeAssignor(members, new Map([['t0', 3], ['t1', 3]]));
    expect(plain(result)).toEqual({ C0: { t0: [0, 1], t1: [0, 1] }, C1: { t0: [2], t1: [2] } });
  });

  it('round robin: partitions dealt across members in order, only to subscribers of the topic', () => {
    const members = [{ memberId: 'C0', topics: ['t0'] }, { memberId: 'C1', topics: ['t0', 't1'] }, { memberId: 'C2', topics: ['t0', 't1', 't2'] }];
    const result = roundRobinAssignor(members, new Map([['t0', 1], ['t1', 2], ['t2', 3]]));
    expect(plain(result)).toEqual({ C0: { t0: [0] }, C1: { t1: [0] }, C2: { t1: [1], t2: [0, 1, 2] } });
  });

  it('every partition goes to exactly one member, for any member and partition counts', () => {
    for (const assignor of [rangeAssignor, roundRobinAssignor]) {
      for (let members = 1; members <= 7; members++) {
        for (const partitions of [1, 5, 12]) {
          const result = assignor(Array.from({ length: members }, (_, i) => ({ memberId: `m${i}`, topics: ['a', 'b'] })), new Map([['a', partitions], ['b', partitions + 1]]));
          const all = [...result.values()].flatMap((a) => [...a].flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`)));
          expect(all.sort()).toEqual([...Array.from({ length: partitions }, (_, p) => `a-${p}`), ...Array.from({ length: partitions + 1 }, (_, p) => `b-${p}`)].sort());
        }
      }
    }
  });
});

describe('consumer protocol bytes', () => {
  it('reads subscriptions and assignments kafkajs writes, and kafkajs reads ours', () => {
    const theirSubscription = AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['orders', 'payments'], userData: Buffer.from('x') });
    expect(decodeSubscription(theirSubscription)).toEqual({ topics: ['orders', 'payments'], userData: Buffer.from('x'), ownedPartitions: new Map(), generationId: -1, rackId: null });
    expect(AssignerProtocol.MemberMetadata.decode(encodeSubscription(['a', 'b']))).toMatchObject({ topics: ['a', 'b'] });

    const theirAssignment = AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [1] }, userData: Buffer.alloc(0) });
    expect(Object.fromEntries(decodeAssignment(theirAssignment))).toEqual({ orders: [0, 2], payments: [1] });
    expect(AssignerProtocol.MemberAssignment.decode(encodeAssignment(new Map([['a', [3, 4]]])))).toMatchObject({ assignment: { a: [3, 4] } });
    expect(decodeAssignment(Buffer.alloc(0)).size).toBe(0);
  });

  it('subscriptions carry owned partitions and their generation (v2), and kafkajs still reads the topics and user data', () => {
    const ours = encodeSubscription(['a', 'b'], { userData: Buffer.from('u'), ownedPartitions: new Map([['a', [0, 2]], ['b', [1]]]), generationId: 7 });
    expect(decodeSubscription(ours)).toEqual({ topics: ['a', 'b'], userData: Buffer.from('u'), ownedPartitions: new Map([['a', [0, 2]], ['b', [1]]]), generationId: 7, rackId: null });
    expect(AssignerProtocol.MemberMetadata.decode(ours)).toMatchObject({ topics: ['a', 'b'], userData: Buffer.from('u') });
  });

  it('truncated bytes are a typed decode error', () => {
    const bytes = encodeSubscription(['orders']);
    expect(() => decodeSubscription(bytes.subarray(0, 5))).toThrow(expect.objectContaining({ name: 'MalformedMessageError' }));
  });
});
