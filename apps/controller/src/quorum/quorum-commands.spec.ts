import { CreatableTopic, MetadataImage, MetadataRecord } from '@tributary/protocol';
import { createAcls, deleteAcls } from './acl-commands';
import { alterPartition } from './alter-partition';
import { alterConfigs } from './config-commands';
import { BrokerLifecycle, allocateProducerIds } from './broker-lifecycle';
import { ControllerError } from './controller-errors';
import { ElectionType, electLeaders, electionsOnBrokerFenced } from './partition-elections';
import { placeReplicas } from './replica-placement';
import { CommandContext, createPartitions, createTopics, deleteTopics } from './topic-commands';

function ctx(): CommandContext {
  let n = 0;
  return { newTopicId: () => `topic-${++n}`, random: () => 0, defaultPartitions: 1, defaultReplicationFactor: 1 };
}

function clusterOf(brokerIds: number[], racks: (string | null)[] = []): MetadataImage {
  const image = new MetadataImage();
  brokerIds.forEach((brokerId, i) => {
    image.apply({ type: 'registerBroker', brokerId, incarnationId: `i${brokerId}`, brokerEpoch: brokerId, endPoints: [], rack: racks[i] ?? null, fenced: false }, image.offset + 1);
  });
  return image;
}

function commit(image: MetadataImage, records: MetadataRecord[]): void {
  for (const record of records) image.apply(record, image.offset + 1);
}

const topic = (name: string, numPartitions = -1, replicationFactor = -1, extra: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions,
  replicationFactor,
  assignments: [],
  configs: [],
  ...extra,
});

describe('replica placement', () => {
  it('spreads leaders evenly and never puts two replicas of a partition on one broker', () => {
    const placement = placeReplicas([1, 2, 3].map((brokerId) => ({ brokerId, rack: null })), 6, 3);
    const leaders = placement.map((r) => r[0]);
    expect([1, 2, 3].map((b) => leaders.filter((l) => l === b).length)).toEqual([2, 2, 2]);
    for (const replicas of placement) expect(new Set(replicas).size).toBe(3);
  });

  it('spreads each partition over racks', () => {
    const brokers = [
      { brokerId: 1, rack: 'a' },
      { brokerId: 2, rack: 'a' },
      { brokerId: 3, rack: 'b' },
      { brokerId: 4, rack: 'b' },
    ];
    const rackOf = (id: number) => brokers.find((b) => b.brokerId === id)?.rack;
    for (const replicas of placeReplicas(brokers, 8, 2)) expect(new Set(replicas.map(rackOf)).size).toBe(2);
  });
});

describe('topic commands', () => {
  it('creates a topic with partitions, ISR = replicas and the first replica leading', () => {
    const image = clusterOf([1, 2, 3]);
    const { results, records } = createTopics(image, [topic('orders', 3, 2, { configs: [{ name: 'retention.ms', value: '1000' }] })], ctx(), false);
    expect(results).toEqual([{ name: 'orders', topicId: 'topic-1', numPartitions: 3, replicationFactor: 2, errorCode: 0, errorMessage: null }]);
    commit(image, records);
    const partitions = [...(image.topicByName('orders')?.partitions.values() ?? [])];
    expect(partitions).toHaveLength(3);
    for (const p of partitions) {
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
    }
    expect(image.topicConfig('orders').get('retention.ms')).toBe('1000');
  });

  it('validates every topic on its own', () => {
    const image = clusterOf([1]);
    commit(image, createTopics(image, [topic('exists')], ctx(), false).records);
    const { results, records } = createTopics(
      image,
      [topic('exists'), topic('bad name!'), topic('twice'), topic('twice'), topic('rf', 1, 3), topic('zero', 0), topic('cfg', 1, 1, { configs: [{ name: 'retention.ms', value: 'soon' }] }), topic('fine')],
      ctx(),
      false,
    );
    expect(results.map((r) => r.errorCode)).toEqual([
      ControllerError.TOPIC_ALREADY_EXISTS,
      ControllerError.INVALID_TOPIC_EXCEPTION,
      ControllerError.INVALID_REQUEST,
      ControllerError.INVALID_REQUEST,
      ControllerError.INVALID_REPLICATION_FACTOR,
      ControllerError.INVALID_PARTITIONS,
      ControllerError.INVALID_CONFIG,
      0,
    ]);
    expect(results[6].errorMessage).toMatch(/retention.ms must be an integer/);
    expect(records.filter((r) => r.type === 'topic')).toEqual([{ type: 'topic', name: 'fine', topicId: expect.any(String) }]);
  });

  it('validateOnly answers without records', () => {
    const { results, records } = createTopics(clusterOf([1]), [topic('t')], ctx(), true);
    expect(results[0].errorCode).toBe(0);
    expect(records).toEqual([]);
  });

  it('accepts explicit assignments and checks them', () => {
    const image = clusterOf([1, 2]);
    const good = createTopics(image, [topic('t', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [2, 1] }] })], ctx(), false);
    expect(good.results[0].errorCode).toBe(0);
    const bad = createTopics(image, [topic('u', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [1, 9] }] })], ctx(), false);
    expect(bad.results[0]).toMatchObject({ errorCode: ControllerError.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'broker 9 is not registered' });
  });

  it('deletes topics by name or id and grows partitions', () => {
    const image = clusterOf([1, 2]);
    commit(image, createTopics(image, [topic('a', 2, 2), topic('b')], ctx(), false).records);
    const grown = createPartitions(image, [{ name: 'a', count: 4, assignments: null }, { name: 'b', count: 1, assignments: null }], ctx(), false);
    expect(grown.results.map((r) => r.errorCode)).toEqual([0, ControllerError.INVALID_PARTITIONS]);
    commit(image, grown.records);
    expect(image.topicByName('a')?.partitions.size).toBe(4);
    const deleted = deleteTopics(image, [{ name: 'a', topicId: null }, { name: null, topicId: image.topicByName('b')?.topicId ?? '' }, { name: 'zzz', topicId: null }]);
    expect(deleted.results.map((r) => r.errorCode)).toEqual([0, 0, ControllerError.UNKNOWN_TOPIC_OR_PARTITION]);
    commit(image, deleted.records);
    expect(image.topicsById.size).toBe(0);
  });
});

describe('leader election and ISR', () => {
  function threeReplicaTopic(): MetadataImage {
    const image = clusterOf([1, 2, 3]);
    commit(image, createTopics(image, [topic('t', 1, 3, { assignments: [] })], ctx(), false).records);
    return image;
  }

  it('moves leadership off a fenced broker to the next live ISR member and shrinks the ISR', () => {
    const image = threeReplicaTopic();
    const before = { ...image.topicByName('t')?.partitions.get(0) };
    const leader = before.leader ?? -1;
    commit(image, [...electionsOnBrokerFenced(image, leader), { type: 'fenceBroker', brokerId: leader, brokerEpoch: leader }]);
    const after = image.topicByName('t')?.partitions.get(0);
    expect(after?.leader).not.toBe(leader);
    expect(after?.isr).not.toContain(leader);
    expect(after?.leaderEpoch).toBe((before.leaderEpoch ?? 0) + 1);
  });

  it('keeps the last ISR member and leaves the partition leaderless rather than electing unclean', () => {
    const image = clusterOf([1, 2]);
    commit(image, createTopics(image, [topic('t', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] })], ctx(), false).records);
    commit(image, [{ type: 'partitionChange', topicId: image.topicByName('t')?.topicId ?? '', partitionId: 0, isr: [1] }]);
    commit(image, electionsOnBrokerFenced(image, 1));
    expect(image.topicByName('t')?.partitions.get(0)).toMatchObject({ leader: -1, isr: [1] });
  });

  it('elects an out-of-sync replica only with unclean.leader.election.enable', () => {
    const image = clusterOf([1, 2]);
    const created = createTopics(image, [topic('t', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [{ name: 'unclean.leader.election.enable', value: 'true' }] })], ctx(), false);
    commit(image, created.records);
    commit(image, [{ type: 'partitionChange', topicId: image.topicByName('t')?.topicId ?? '', partitionId: 0, isr: [1] }]);
    commit(image, electionsOnBrokerFenced(image, 1));
    expect(image.topicByName('t')?.partitions.get(0)).toMatchObject({ leader: 2, isr: [2] });
  });

  it('preferred leader election', () => {
    const image = threeReplicaTopic();
    const t = image.topicByName('t');
    const topicId = t?.topicId ?? '';
    const preferred = t?.partitions.get(0)?.replicas[0] ?? -1;
    expect(electLeaders(image, ElectionType.PREFERRED, [{ topic: 't', partitionId: 0 }]).results[0].errorCode).toBe(ControllerError.ELECTION_NOT_NEEDED);
    expect(electLeaders(image, ElectionType.PREFERRED, null).results).toEqual([]); // nothing to do anywhere
    const other = t?.partitions.get(0)?.replicas[1] ?? -1;
    commit(image, [{ type: 'partitionChange', topicId, partitionId: 0, leader: other }]);
    expect(electLeaders(image, ElectionType.PREFERRED, [{ topic: 't', partitionId: 7 }]).results[0].errorCode).toBe(ControllerError.UNKNOWN_TOPIC_OR_PARTITION);
    const { results, records } = electLeaders(image, ElectionType.PREFERRED, null);
    expect(results).toEqual([{ topic: 't', partitionId: 0, errorCode: 0, errorMessage: null }]);
    commit(image, records);
    expect(image.topicByName('t')?.partitions.get(0)?.leader).toBe(preferred);
  });

  it('unclean election gives a leaderless partition its first live replica, out of sync or not, as the whole ISR', () => {
    const image = threeReplicaTopic();
    const t = image.topicByName('t');
    const topicId = t?.topicId ?? '';
    const [first, second] = t?.partitions.get(0)?.replicas ?? [];
    // only `first` is in sync, then it dies: no clean candidate
    commit(image, [{ type: 'partitionChange', topicId, partitionId: 0, isr: [first] }]);
    commit(image, electionsOnBrokerFenced(image, first));
    commit(image, [{ type: 'fenceBroker', brokerId: first, brokerEpoch: first }]);
    expect(image.topicByName('t')?.partitions.get(0)?.leader).toBe(-1);
    expect(electLeaders(image, ElectionType.PREFERRED, [{ topic: 't', partitionId: 0 }]).results[0].errorCode).toBe(ControllerError.PREFERRED_LEADER_NOT_AVAILABLE);
    const { results, records } = electLeaders(image, ElectionType.UNCLEAN, [{ topic: 't', partitionId: 0 }]);
    expect(results[0].errorCode).toBe(0);
    commit(image, records);
    expect(image.topicByName('t')?.partitions.get(0)).toMatchObject({ leader: second, isr: [second] });
    expect(electLeaders(image, ElectionType.UNCLEAN, [{ topic: 't', partitionId: 0 }]).results[0].errorCode).toBe(ControllerError.ELECTION_NOT_NEEDED);
  });

  it('AlterPartition checks broker epoch, leader epoch, partition epoch and eligibility', () => {
    const image = threeReplicaTopic();
    const t = image.topicByName('t');
    const p = t?.partitions.get(0);
    const leader = p?.leader ?? -1;
    const request = { brokerId: leader, brokerEpoch: leader, topicId: t?.topicId ?? '', partitionId: 0, leaderEpoch: p?.leaderEpoch ?? 0, partitionEpoch: p?.partitionEpoch ?? 0, newIsr: [leader] };
    expect(alterPartition(image, { ...request, brokerEpoch: 99 }).result.errorCode).toBe(ControllerError.STALE_BROKER_EPOCH);
    expect(alterPartition(image, { ...request, partitionEpoch: 7 }).result.errorCode).toBe(ControllerError.INVALID_UPDATE_VERSION);
    expect(alterPartition(image, { ...request, leaderEpoch: -5 }).result.errorCode).toBe(ControllerError.FENCED_LEADER_EPOCH);
    expect(alterPartition(image, { ...request, newIsr: [leader, 42] }).result.errorCode).toBe(ControllerError.INELIGIBLE_REPLICA);
    const ok = alterPartition(image, request);
    expect(ok.result).toMatchObject({ errorCode: 0, isr: [leader], partitionEpoch: (p?.partitionEpoch ?? 0) + 1 });
    commit(image, ok.record ? [ok.record] : []);
    expect(alterPartition(image, request).result.errorCode).toBe(ControllerError.INVALID_UPDATE_VERSION); // a replay loses
  });
});

describe('broker lifecycle', () => {
  const clock = { now: 0, nowMs() { return this.now; } };

  it('registers fenced, unfences once caught up, fences on session expiry and moves leadership', () => {
    const image = new MetadataImage();
    const lifecycle = new BrokerLifecycle(clock, 9000);
    const epochs = new Map<number, number>();
    for (const brokerId of [1, 2]) {
      const registered = lifecycle.register(image, { brokerId, incarnationId: `inc${brokerId}`, rack: null, listeners: [], features: {} });
      commit(image, registered.records);
      epochs.set(brokerId, registered.brokerEpoch);
      expect(image.brokers.get(brokerId)?.fenced).toBe(true);
    }
    const early = lifecycle.heartbeat(image, { brokerId: 1, brokerEpoch: epochs.get(1) ?? 0, currentMetadataOffset: -1, wantShutDown: false });
    expect(early.result).toMatchObject({ isCaughtUp: false, isFenced: true });
    for (const brokerId of [1, 2]) {
      const hb = lifecycle.heartbeat(image, { brokerId, brokerEpoch: epochs.get(brokerId) ?? 0, currentMetadataOffset: image.offset, wantShutDown: false });
      commit(image, hb.records);
    }
    expect(image.activeBrokers().map((b) => b.brokerId)).toEqual([1, 2]);
    commit(image, createTopics(image, [topic('t', -1, -1, { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] })], ctx(), false).records);

    clock.now = 5000;
    lifecycle.heartbeat(image, { brokerId: 2, brokerEpoch: epochs.get(2) ?? 0, currentMetadataOffset: image.offset, wantShutDown: false });
    clock.now = 10_000; // broker 1 silent since t=0
    const fenced = lifecycle.fenceExpired(image);
    commit(image, fenced);
    expect(image.brokers.get(1)?.fenced).toBe(true);
    expect(image.topicByName('t')?.partitions.get(0)).toMatchObject({ leader: 2, isr: [2] });

    expect(lifecycle.heartbeat(image, { brokerId: 1, brokerEpoch: 12345, currentMetadataOffset: 0, wantShutDown: false }).result.errorCode).toBe(ControllerError.STALE_BROKER_EPOCH);
    expect(lifecycle.heartbeat(image, { brokerId: 7, brokerEpoch: 1, currentMetadataOffset: 0, wantShutDown: false }).result.errorCode).toBe(ControllerError.BROKER_ID_NOT_REGISTERED);
  });

  it('refuses a second live broker with the same id', () => {
    const image = new MetadataImage();
    const lifecycle = new BrokerLifecycle(clock, 9000);
    const first = lifecycle.register(image, { brokerId: 1, incarnationId: 'a', rack: null, listeners: [], features: {} });
    commit(image, first.records);
    commit(image, lifecycle.heartbeat(image, { brokerId: 1, brokerEpoch: first.brokerEpoch, currentMetadataOffset: image.offset, wantShutDown: false }).records);
    expect(lifecycle.register(image, { brokerId: 1, incarnationId: 'b', rack: null, listeners: [], features: {} }).errorCode).toBe(ControllerError.DUPLICATE_BROKER_REGISTRATION);
    expect(lifecycle.register(image, { brokerId: 1, incarnationId: 'a', rack: null, listeners: [], features: {} }).errorCode).toBe(0); // same incarnation: a restart
  });

  it('allocates disjoint producer id blocks', () => {
    const image = new MetadataImage();
    const a = allocateProducerIds(image, 1, 1);
    commit(image, [a.record]);
    const b = allocateProducerIds(image, 2, 2);
    expect([a.firstProducerId, b.firstProducerId]).toEqual([0, 1000]);
  });
});

describe('config commands', () => {
  it('validates and applies topic config changes; replace removes unlisted keys', () => {
    const image = clusterOf([1]);
    commit(image, createTopics(image, [topic('t', 1, 1, { configs: [{ name: 'retention.ms', value: '1000' }] })], ctx(), false).records);
    const bad = alterConfigs(image, { resources: [{ resourceType: 'topic', resourceName: 't', configs: [{ name: 'segment.bytes', value: '1' }] }], replace: false, validateOnly: false });
    expect(bad.results[0]).toMatchObject({ errorCode: ControllerError.INVALID_CONFIG, errorMessage: 'segment.bytes must be >= 14, got 1' });
    const incremental = alterConfigs(image, { resources: [{ resourceType: 'topic', resourceName: 't', configs: [{ name: 'cleanup.policy', value: 'compact' }] }], replace: false, validateOnly: false });
    commit(image, incremental.records);
    expect([...image.topicConfig('t')].sort()).toEqual([['cleanup.policy', 'compact'], ['retention.ms', '1000']]);
    commit(image, alterConfigs(image, { resources: [{ resourceType: 'topic', resourceName: 't', configs: [{ name: 'segment.ms', value: '60000' }] }], replace: true, validateOnly: false }).records);
    expect([...image.topicConfig('t')]).toEqual([['segment.ms', '60000']]);
    const unknown = alterConfigs(image, { resources: [{ resourceType: 'topic', resourceName: 'nope', configs: [] }], replace: false, validateOnly: false });
    expect(unknown.results[0].errorCode).toBe(ControllerError.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('ACL commands', () => {
  const binding = { resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
  const anyFilter = { resourceType: 1, resourceName: null, patternType: 1, principal: null, host: null, operation: 1, permissionType: 1 };
  let ids = 0;
  const newId = () => `acl-${++ids}`;

  it('stores valid bindings once, refuses invalid ones with INVALID_REQUEST and stores nothing for them', () => {
    const image = new MetadataImage();
    const first = createAcls(image, { creations: [binding, { ...binding, principal: 'alice' }] }, newId);
    expect(first.results.map((r) => r.errorCode)).toEqual([0, ControllerError.INVALID_REQUEST]);
    expect(first.results[1].errorMessage).toMatch(/User:name/);
    commit(image, first.records);
    expect([...image.acls.values()]).toEqual([binding]);
    const again = createAcls(image, { creations: [binding, binding] }, newId);
    expect(again.results.map((r) => r.errorCode)).toEqual([0, 0]);
    expect(again.records).toEqual([]); // already stored
  });

  it('deletes what each filter matches, reporting a binding under every filter that matched it', () => {
    const image = new MetadataImage();
    commit(image, createAcls(image, { creations: [binding, { ...binding, principal: 'User:bob' }, { ...binding, resourceType: 3, resourceName: 'g' }] }, newId).records);
    const outcome = deleteAcls(image, { filters: [{ ...anyFilter, principal: 'User:bob' }, { ...anyFilter, resourceType: 2 }, { ...anyFilter, operation: 0 }] });
    expect(outcome.results[0].matching.map((b) => b.principal)).toEqual(['User:bob']);
    expect(outcome.results[1].matching).toHaveLength(2);
    expect(outcome.results[2].errorCode).toBe(ControllerError.INVALID_REQUEST);
    commit(image, outcome.records);
    expect([...image.acls.values()].map((b) => b.resourceType)).toEqual([3]);
  });
});
