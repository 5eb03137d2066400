import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { LogManager, decodeRecords, encodeBatch, readHeader } from '@tributary/log-engine';
import { MetadataImage } from '@tributary/protocol';
import { FixedMetadataCluster } from '../../test/fixed-metadata-cluster';
import { ControllerChannel } from '../kafka/broker-context';
import { ReplicaManager } from '../replica/replica-manager';
import { ConsumerGroup, GroupError, JoinResult } from './consumer-group';
import { GroupCoordinator, OFFSETS_TOPIC } from './group-coordinator';
import { GroupMetadataValue, decodeCoordinatorKey, decodeGroupMetadataValue, encodeGroupMetadataKey, encodeGroupMetadataValue } from './group-metadata-records';

const noController: ControllerChannel = {
  call: (async (pattern: string) => {
    throw new Error(`no controller in this test (${pattern})`);
  }) as ControllerChannel['call'],
};

/** A ConsumerProtocolSubscription v0: int16 version, topics, null user data. */
function subscription(...topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1].writeInt32BE(topics.length);
  for (const t of topics) parts.push(Buffer.from([0, t.length]), Buffer.from(t));
  parts.push(Buffer.alloc(4, 0xff));
  return Buffer.concat(parts);
}

/**
 * One broker's storage for __consumer_offsets (1 partition, this broker its only replica and the
 * leader at `leaderEpoch`): a real LogManager on `dir` and a real ReplicaManager. Opening it again
 * on the same dir is a broker restart: the log is recovered from disk.
 */
function openBroker(dir: string, leaderEpoch: number): { logs: LogManager; replicas: ReplicaManager; image: MetadataImage; close(): void } {
  const logs = LogManager.open({ dataDir: dir });
  const replicas = new ReplicaManager(logs, { brokerId: 1 }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
  const image = new MetadataImage();
  const topicId = randomUUID();
  image.apply({ type: 'topic', name: OFFSETS_TOPIC, topicId }, 1);
  image.apply({ type: 'partition', topicId, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch, partitionEpoch: leaderEpoch }, 2);
  replicas.becomeLeaderOrFollower(OFFSETS_TOPIC, 0, { leaderId: 1, leaderEpoch, partitionEpoch: leaderEpoch, replicas: [1], isr: [1] }, { cleanupPolicy: 'compact' });
  return {
    logs,
    replicas,
    image,
    close: () => {
      replicas.shutdown();
      logs.close();
    },
  };
}

function coordinatorOn(broker: { replicas: ReplicaManager; image: MetadataImage }, clock: { nowMs(): number }): GroupCoordinator {
  return new GroupCoordinator({ brokerId: 1, listenerName: 'PLAINTEXT', metadata: () => broker.image, replicas: broker.replicas, controller: noController }, {}, clock);
}

/** Every GroupMetadata record of `groupId` in the partition, in log order (null = tombstone). */
function groupRecords(replicas: ReplicaManager, groupId: string): (GroupMetadataValue | null)[] {
  const partition = replicas.getPartition(OFFSETS_TOPIC, 0)!;
  const found: (GroupMetadataValue | null)[] = [];
  let offset = partition.logStartOffset;
  while (offset < partition.logEndOffset) {
    const { records } = partition.log.read(offset, 1 << 20);
    if (records.length === 0) break;
    for (let pos = 0; pos < records.length; ) {
      const header = readHeader(records, pos);
      for (const record of decodeRecords(records, pos)) {
        let key = null;
        try {
          key = record.key ? decodeCoordinatorKey(record.key) : null;
        } catch {
          // the deliberately malformed keys of the skip test
        }
        if (key?.kind === 'group' && key.group === groupId) found.push(record.value === null ? null : decodeGroupMetadataValue(record.value));
      }
      offset = header.lastOffset + 1;
      pos += header.sizeInBytes;
    }
  }
  return found;
}

function joinRequest(groupId: string, memberId: string, clientId: string) {
  return {
    groupId,
    memberId,
    groupInstanceId: clientId === 'client-b' ? 'instance-b' : null,
    clientId,
    clientHost: `/10.0.0.${clientId === 'client-a' ? 1 : 2}`,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 5_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('orders') }],
    requireKnownMemberId: true,
  };
}

/** Two members join (JoinGroup v4+ style: first a member id, then the real join) and sync generation 2. */
async function twoMembersJoinAndSync(coordinator: GroupCoordinator, groupId: string): Promise<{ a: string; b: string; generation: number }> {
  const idA = (await coordinator.join(joinRequest(groupId, '', 'client-a'))).memberId;
  const idB = (await coordinator.join(joinRequest(groupId, '', 'client-b'))).memberId;
  expect((await coordinator.join(joinRequest(groupId, idA, 'client-a'))).generationId).toBe(1);
  const joinB = coordinator.join(joinRequest(groupId, idB, 'client-b')); // rebalances
  const [ja, jb]: JoinResult[] = await Promise.all([coordinator.join(joinRequest(groupId, idA, 'client-a')), joinB]);
  expect([ja.errorCode, jb.errorCode, ja.generationId, ja.leader]).toEqual([0, 0, 2, idA]);
  const syncB = coordinator.sync({ groupId, memberId: idB, generationId: 2, assignments: [] });
  const syncA = await coordinator.sync({
    groupId,
    memberId: idA,
    generationId: 2,
    assignments: [
      { memberId: idA, assignment: Buffer.from('orders-0') },
      { memberId: idB, assignment: Buffer.from('orders-1') },
    ],
  });
  expect(syncA).toMatchObject({ errorCode: 0, assignment: Buffer.from('orders-0') });
  expect(await syncB).toMatchObject({ errorCode: 0, assignment: Buffer.from('orders-1') });
  return { a: idA, b: idB, generation: 2 };
}

describe('consumer-group membership persisted in __consumer_offsets', () => {
  let dir: string;
  const clock = { now: 1_000_000, nowMs: () => clock.now };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-persistence-'));
    clock.now = 1_000_000;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a restarted coordinator reloads a Stable group from the log: same generation, leader, protocol, members and assignments; heartbeats go on; idle members expire and an Empty record is written', async () => {
    let broker = openBroker(dir, 0);
    const first = coordinatorOn(broker, clock);
    first.start();
    const { a, b, generation } = await twoMembersJoinAndSync(first, 'billing');
    expect(await first.commit('billing', a, generation, [{ topic: 'orders', partition: 0, offset: 42, leaderEpoch: 0, metadata: null }])).toBe(0);
    // the sync wrote the group's membership before answering
    const stored = groupRecords(broker.replicas, 'billing');
    expect(stored.at(-1)).toMatchObject({ protocolType: 'consumer', generation: 2, protocol: 'range', leader: a });
    expect(stored.at(-1)?.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([
      [a, 'orders-0'],
      [b, 'orders-1'],
    ]);

    // the coordinator and its broker go away without the members leaving; the broker restarts on the same disk
    first.stop();
    broker.close();
    clock.now += 3_000;
    const loadedAt = clock.now;
    broker = openBroker(dir, 1);
    const second = coordinatorOn(broker, clock);

    const { errorCode, group } = second.describeGroup('billing');
    expect(errorCode).toBe(0);
    expect(group).toMatchObject({ state: 'Stable', generationId: generation, protocolType: 'consumer', protocolName: 'range', leaderId: a });
    const members = [...group!.members.values()];
    expect(members.map((m) => ({ ...m, awaitingJoin: undefined, awaitingSync: undefined }))).toEqual([
      { memberId: a, groupInstanceId: null, clientId: 'client-a', clientHost: '/10.0.0.1', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5_000, protocols: [{ name: 'range', metadata: subscription('orders') }], assignment: Buffer.from('orders-0'), lastHeartbeatMs: loadedAt, awaitingJoin: undefined, awaitingSync: undefined },
      { memberId: b, groupInstanceId: 'instance-b', clientId: 'client-b', clientHost: '/10.0.0.2', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5_000, protocols: [{ name: 'range', metadata: subscription('orders') }], assignment: Buffer.from('orders-1'), lastHeartbeatMs: loadedAt, awaitingJoin: undefined, awaitingSync: undefined },
    ]);
    expect(group!.subscribedTopics()).toEqual(new Set(['orders']));
    expect(second.listGroups()).toEqual([{ groupId: 'billing', protocolType: 'consumer', state: 'Stable' }]);
    expect(second.fetchOffsets('billing', null).topics).toEqual([{ name: 'orders', partitions: [{ partition: 0, offset: 42, leaderEpoch: 0, metadata: '', errorCode: 0 }] }]);

    // the members carry on with their generation: no rebalance
    expect(second.heartbeat('billing', a, generation)).toBe(GroupError.NONE);
    expect(second.heartbeat('billing', b, generation)).toBe(GroupError.NONE);
    expect(second.heartbeat('billing', b, generation - 1)).toBe(GroupError.ILLEGAL_GENERATION);
    expect(second.heartbeat('billing', 'stranger', generation)).toBe(GroupError.UNKNOWN_MEMBER_ID);
    // a member that missed its sync answer gets its assignment again; commits of the generation are accepted
    expect(await second.sync({ groupId: 'billing', memberId: b, generationId: generation, assignments: [] })).toMatchObject({ errorCode: 0, protocolName: 'range', assignment: Buffer.from('orders-1') });
    expect(await second.commit('billing', b, generation, [{ topic: 'orders', partition: 1, offset: 7, leaderEpoch: 0, metadata: 'x' }])).toBe(0);
    expect(group!.state).toBe('Stable');

    // sessions restarted at load time (the heartbeats above were at load time too): nobody is
    // expired just before the timeout, both are just after it
    clock.now = loadedAt + 10_000;
    second.expireSessions();
    expect(group!.members.size).toBe(2);
    clock.now = loadedAt + 10_001;
    second.expireSessions();
    expect(group!.state).toBe('Empty');
    expect(group!.generationId).toBe(generation + 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(groupRecords(broker.replicas, 'billing').at(-1)).toEqual({ protocolType: 'consumer', generation: generation + 1, protocol: null, leader: null, currentStateTimestamp: loadedAt + 10_001, members: [] });
    second.stop();

    // another restart: the group comes back Empty, keeps its generation count and offsets
    broker.close();
    broker = openBroker(dir, 2);
    const third = coordinatorOn(broker, clock);
    expect(third.describeGroup('billing').group).toMatchObject({ state: 'Empty', generationId: generation + 1, protocolType: 'consumer', protocolName: null });
    expect(third.describeGroup('billing').group!.members.size).toBe(0);
    expect(third.fetchOffsets('billing', [{ name: 'orders', partitions: [0, 1] }]).topics[0].partitions.map((p) => p.offset)).toEqual([42, 7]);

    // DeleteGroups tombstones the offsets and the group record: after a restart nothing is left
    expect(await third.deleteGroup('billing')).toBe(0);
    expect(groupRecords(broker.replicas, 'billing').at(-1)).toBeNull();
    broker.close();
    broker = openBroker(dir, 3);
    const fourth = coordinatorOn(broker, clock);
    expect(fourth.describeGroup('billing')).toEqual({ errorCode: 0, group: null });
    expect(fourth.listGroups()).toEqual([]);
    broker.close();
  });

  it('a sync whose membership record cannot be stored fails for every member and the group rebalances', async () => {
    const broker = openBroker(dir, 0);
    const coordinator = coordinatorOn(broker, clock);
    const id = (await coordinator.join(joinRequest('g', '', 'client-a'))).memberId;
    expect((await coordinator.join(joinRequest('g', id, 'client-a'))).generationId).toBe(1);
    // acks=all cannot be met: the append is refused with NOT_ENOUGH_REPLICAS
    broker.replicas.getPartition(OFFSETS_TOPIC, 0)!.setMinInsyncReplicas(2);
    const failed = await coordinator.sync({ groupId: 'g', memberId: id, generationId: 1, assignments: [{ memberId: id, assignment: Buffer.from('all') }] });
    expect(failed).toMatchObject({ errorCode: 15 /* COORDINATOR_NOT_AVAILABLE */, assignment: Buffer.alloc(0) });
    const group = coordinator.describeGroup('g').group!;
    expect(group.state).toBe('PreparingRebalance');
    expect(group.members.get(id)!.assignment).toEqual(Buffer.alloc(0));
    expect(coordinator.heartbeat('g', id, 1)).toBe(GroupError.REBALANCE_IN_PROGRESS);
    expect(groupRecords(broker.replicas, 'g')).toEqual([]);

    broker.replicas.getPartition(OFFSETS_TOPIC, 0)!.setMinInsyncReplicas(1);
    expect((await coordinator.join(joinRequest('g', id, 'client-a'))).generationId).toBe(2);
    expect(await coordinator.sync({ groupId: 'g', memberId: id, generationId: 2, assignments: [{ memberId: id, assignment: Buffer.from('all') }] })).toMatchObject({ errorCode: 0, assignment: Buffer.from('all') });
    expect(group.state).toBe('Stable');
    expect(groupRecords(broker.replicas, 'g').map((v) => v?.generation)).toEqual([2]);
    broker.close();
  });

  it('the loader skips malformed records (keeping the group’s last good state) and never fails', async () => {
    let broker = openBroker(dir, 0);
    const coordinator = coordinatorOn(broker, clock);
    const { a, generation } = await twoMembersJoinAndSync(coordinator, 'g');
    const garbage = encodeBatch([
      { key: encodeGroupMetadataKey('g'), value: Buffer.from([0, 3, 0, 8]) }, // truncated value
      { key: encodeGroupMetadataKey('g'), value: Buffer.concat([Buffer.from([0, 9]), encodeGroupMetadataValue({ protocolType: 'x', generation: 99, protocol: null, leader: null, currentStateTimestamp: 0, members: [] }).subarray(2)]) }, // unknown version
      { key: Buffer.from([0, 2, 0x7f]), value: Buffer.from('?') }, // truncated group key
      { key: Buffer.from([0, 1, 0, 1]), value: Buffer.from('?') }, // truncated offset key
      { key: Buffer.from([0, 7, 1, 2]), value: Buffer.from('?') }, // a key kind this broker does not know
      { key: null, value: Buffer.from('?') },
    ]);
    const [appended] = await broker.replicas.appendRecords(-1, 5_000, [{ topic: OFFSETS_TOPIC, partition: 0, records: garbage }]);
    expect(appended.errorCode).toBe(0);
    broker.close();
    broker = openBroker(dir, 1);
    const reloaded = coordinatorOn(broker, clock);
    expect(reloaded.describeGroup('g').group).toMatchObject({ state: 'Stable', generationId: generation, leaderId: a });
    expect(reloaded.heartbeat('g', a, generation)).toBe(GroupError.NONE);
    broker.close();
  });

  it('ConsumerGroup.restore: a record without members gives an Empty group that keeps counting generations', async () => {
    const group = ConsumerGroup.restore('g', { protocolType: 'consumer', generation: 5, protocol: null, leader: null, currentStateTimestamp: 0, members: [] }, 0);
    expect(group).toMatchObject({ state: 'Empty', generationId: 5, protocolType: 'consumer', protocolName: null, leaderId: null });
    const first = await group.join({ ...joinRequest('g', '', 'client-a') }, 0);
    const joined = await group.join({ ...joinRequest('g', first.memberId, 'client-a') }, 0);
    expect(joined.generationId).toBe(6);
  });
});

describe('consumer-group membership persisted in __consumer_offsets, with kafkajs consumers', () => {
  let cluster: FixedMetadataCluster;

  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(1);
    cluster.createTopic('__consumer_offsets', 1);
    cluster.createTopic('orders', 4);
  });
  afterAll(() => cluster.stop());

  it('a new coordinator over the same partition loads the group kafkajs formed: Stable, same generation, members and assignments', async () => {
    const kafka = new Kafka({ clientId: 'persistence', brokers: [cluster.bootstrap()], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    const generations = new Map<string, number>();
    const consumers = [1, 2].map(() => kafka.consumer({ groupId: 'kafkajs-group', sessionTimeout: 6_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 }));
    for (const consumer of consumers) {
      consumer.on(consumer.events.HEARTBEAT, ({ payload }) => generations.set(payload.memberId, payload.groupGenerationId));
      await consumer.connect();
      await consumer.subscribe({ topic: 'orders' });
      await consumer.run({ eachMessage: async () => undefined });
    }
    const admin = kafka.admin();
    await admin.connect();
    // wait until both consumers have their assignments and heartbeat at the final generation
    let described: Awaited<ReturnType<typeof admin.describeGroups>>['groups'][number] | undefined;
    for (let i = 0; i < 200; i++) {
      described = (await admin.describeGroups(['kafkajs-group'])).groups[0];
      const ids = described.members.map((m) => m.memberId);
      const settled = described.state === 'Stable' && ids.length === 2 && ids.every((id) => generations.has(id)) && new Set(ids.map((id) => generations.get(id))).size === 1;
      if (settled && described.members.every((m) => m.memberAssignment.length > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(described?.state).toBe('Stable');
    const generation = generations.get(described!.members[0].memberId)!;

    // a second coordinator over the broker's replica of the partition (a coordinator restart or move)
    const ctx = { brokerId: 1, listenerName: 'PLAINTEXT', metadata: () => cluster.image, replicas: cluster.replicaManager(1), controller: noController };
    const restarted = new GroupCoordinator(ctx);
    const { group } = restarted.describeGroup('kafkajs-group');
    expect(group).toMatchObject({ state: 'Stable', generationId: generation, protocolType: 'consumer', protocolName: described!.protocol });
    expect(described!.members.map((m) => m.memberId)).toContain(group!.leaderId);
    const members = [...group!.members.values()];
    expect(members.map((m) => m.memberId).sort()).toEqual(described!.members.map((m) => m.memberId).sort());
    for (const m of described!.members) {
      const restored = group!.members.get(m.memberId)!;
      expect(restored.assignment).toEqual(m.memberAssignment);
      expect(restored.protocols).toEqual([{ name: described!.protocol, metadata: m.memberMetadata }]);
      expect([restored.clientId, restored.sessionTimeoutMs]).toEqual([m.clientId, 6_000]);
      expect(restarted.heartbeat('kafkajs-group', m.memberId, generation)).toBe(GroupError.NONE);
    }

    // the consumers leave (at the broker's own coordinator; the first leave may cause one more
    // generation), which records the group as Empty
    await admin.disconnect();
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    const afterLeave = new GroupCoordinator(ctx).describeGroup('kafkajs-group').group!;
    expect(afterLeave.state).toBe('Empty');
    expect(afterLeave.members.size).toBe(0);
    expect(afterLeave.generationId).toBeGreaterThan(generation);
  }, 60_000);
});
