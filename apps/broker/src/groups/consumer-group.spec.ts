import { ConsumerGroup, GroupError, JoinResult } from './consumer-group';
import { decodeOffsetKey, decodeOffsetValue, encodeOffsetKey, encodeOffsetValue, groupPartition } from './offset-records';

const subscription = (...topics: string[]) => {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1].writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(t.length);
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.alloc(4, 0xff)); // null user data
  return Buffer.concat(parts);
};

function joinRequest(memberId: string, extra: Partial<Parameters<ConsumerGroup['join']>[0]> = {}): Parameters<ConsumerGroup['join']>[0] {
  return { memberId, groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription('orders') }], requireKnownMemberId: true, ...extra };
}

/** Joins a new member the way clients do: get an id (MEMBER_ID_REQUIRED), join again with it. */
async function newMember(group: ConsumerGroup, now: number): Promise<{ memberId: string; joined: Promise<JoinResult> }> {
  const first = await group.join(joinRequest(''), now);
  expect(first.errorCode).toBe(GroupError.MEMBER_ID_REQUIRED);
  return { memberId: first.memberId, joined: group.join(joinRequest(first.memberId), now) };
}

describe('ConsumerGroup (classic protocol)', () => {
  it('a single member joins, leads, syncs its own assignment and becomes Stable', async () => {
    const group = new ConsumerGroup('g');
    const { memberId, joined } = await newMember(group, 0);
    const join = await joined;
    expect(join).toMatchObject({ errorCode: 0, generationId: 1, leader: memberId, protocolName: 'range' });
    expect(join.members.map((m) => m.memberId)).toEqual([memberId]);
    const sync = await group.sync({ memberId, generationId: 1, assignments: [{ memberId, assignment: Buffer.from('all') }] }, 0);
    expect(sync).toMatchObject({ errorCode: 0, assignment: Buffer.from('all') });
    expect(group.state).toBe('Stable');
    expect(group.subscribedTopics()).toEqual(new Set(['orders']));
  });

  it('a second member triggers a rebalance: both rejoin, the leader sees both, followers get their assignment at sync', async () => {
    const group = new ConsumerGroup('g');
    const a = await newMember(group, 0);
    await a.joined;
    await group.sync({ memberId: a.memberId, generationId: 1, assignments: [] }, 0);
    const b = await newMember(group, 0);
    expect(group.state).toBe('PreparingRebalance');
    expect(group.heartbeat(a.memberId, 1, 0)).toBe(GroupError.REBALANCE_IN_PROGRESS);
    expect(group.checkCommit(a.memberId, 1)).toBe(GroupError.NONE); // a commits what it consumed before rejoining
    const [joinA, joinB] = await Promise.all([group.join(joinRequest(a.memberId), 0), b.joined]);
    expect(group.checkCommit(a.memberId, 2)).toBe(GroupError.REBALANCE_IN_PROGRESS); // assignments not handed out yet
    expect(joinA.generationId).toBe(2);
    expect(joinA.members).toHaveLength(2); // a stays leader
    expect(joinB.members).toHaveLength(0);
    const syncB = group.sync({ memberId: b.memberId, generationId: 2, assignments: [] }, 0);
    await group.sync({ memberId: a.memberId, generationId: 2, assignments: [{ memberId: a.memberId, assignment: Buffer.from('p0') }, { memberId: b.memberId, assignment: Buffer.from('p1') }] }, 0);
    expect((await syncB).assignment).toEqual(Buffer.from('p1'));
    expect(group.heartbeat(b.memberId, 2, 0)).toBe(GroupError.NONE);
    expect(group.heartbeat(b.memberId, 1, 0)).toBe(GroupError.ILLEGAL_GENERATION);
    expect(group.heartbeat('stranger', 2, 0)).toBe(GroupError.UNKNOWN_MEMBER_ID);
  });

  it('a member that stops heartbeating is removed after its session timeout; the group rebalances', async () => {
    const group = new ConsumerGroup('g');
    const a = await newMember(group, 0);
    await a.joined;
    await group.sync({ memberId: a.memberId, generationId: 1, assignments: [] }, 0);
    group.expire(5_000);
    expect(group.members.size).toBe(1);
    group.expire(10_001);
    expect(group.members.size).toBe(0);
    expect(group.state).toBe('Empty');
  });

  it('leaving empties the group, and commits then need no membership', async () => {
    const group = new ConsumerGroup('g');
    const a = await newMember(group, 0);
    await a.joined;
    await group.sync({ memberId: a.memberId, generationId: 1, assignments: [] }, 0);
    expect(group.checkCommit('', -1)).toBe(GroupError.UNKNOWN_MEMBER_ID);
    expect(group.leave(a.memberId, 0)).toBe(GroupError.NONE);
    expect(group.state).toBe('Empty');
    expect(group.checkCommit('', -1)).toBe(GroupError.NONE);
    expect(group.leave(a.memberId, 0)).toBe(GroupError.UNKNOWN_MEMBER_ID);
  });

  it('a static member restarting takes over its identity and fences the old member id', async () => {
    const group = new ConsumerGroup('g');
    const first = await group.join(joinRequest('', { groupInstanceId: 'instance-1' }), 0);
    expect(first.errorCode).toBe(GroupError.MEMBER_ID_REQUIRED);
    const joined = await group.join(joinRequest(first.memberId, { groupInstanceId: 'instance-1' }), 0);
    await group.sync({ memberId: joined.memberId, generationId: joined.generationId, assignments: [] }, 0);
    const again = await group.join(joinRequest('', { groupInstanceId: 'instance-1' }), 0);
    expect(again.errorCode).toBe(0);
    expect(again.memberId).not.toBe(first.memberId);
    expect(group.heartbeat(first.memberId, again.generationId, 0)).toBe(GroupError.UNKNOWN_MEMBER_ID);
  });

  it('refuses a member whose protocols do not match the group', async () => {
    const group = new ConsumerGroup('g');
    const a = await newMember(group, 0);
    await a.joined;
    const other = await group.join(joinRequest('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }), 0);
    expect(other.errorCode).toBe(GroupError.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('__consumer_offsets records', () => {
  it('round-trips Kafka offset keys and values', () => {
    const key = { group: 'g1', topic: 'orders', partition: 7 };
    expect(decodeOffsetKey(encodeOffsetKey(key))).toEqual(key);
    const value = { offset: 12345678901, leaderEpoch: 3, metadata: 'm', commitTimestamp: 1700000000000 };
    expect(decodeOffsetValue(encodeOffsetValue(value))).toEqual(value);
  });

  it("places groups with Java's String.hashCode, as Kafka does", () => {
    // checked with the JDK: "analytics".hashCode() == -1693017210, abs % 50 == 10
    expect(groupPartition('analytics', 50)).toBe(10);
    expect(groupPartition('', 50)).toBe(0);
  });
});
