import { BATCH, encodeBatch } from '@tributary/log-engine';
import { MetadataImage, NO_LEADER } from '@tributary/protocol';
import { ControllerChannel, endpointOf, BrokerContext } from '../kafka/broker-context';
import { ErrorCode } from '../replica/kafka-errors';
import { ReplicaManager } from '../replica/replica-manager';
import { storedBatches } from '../replica/stored-batches';
import { ConsumerGroup, GroupError, GroupPersistence, JoinResult, SyncResult } from './consumer-group';
import { GroupMetadataValue, decodeCoordinatorKey, decodeGroupMetadataValue, encodeGroupMetadataKey, encodeGroupMetadataValue } from './group-metadata-records';
import { MalformedRecordError, OffsetValue, decodeOffsetValue, encodeOffsetKey, encodeOffsetValue, groupPartition } from './offset-records';
import { ATTR_TRANSACTIONAL, MARKER_COMMIT, markerTypeAt } from '../replica/transaction-index';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface GroupCoordinatorSettings {
  /** offsets.topic.num.partitions */
  offsetsTopicPartitions: number;
  /** offsets.topic.replication.factor (capped by the live brokers at creation) */
  offsetsTopicReplicationFactor: number;
  /** group.min/max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export const DEFAULT_GROUP_SETTINGS: GroupCoordinatorSettings = {
  offsetsTopicPartitions: 50,
  offsetsTopicReplicationFactor: 3,
  minSessionTimeoutMs: 1_000,
  maxSessionTimeoutMs: 1_800_000,
};

/** Groups one coordinator keeps in memory; beyond it new groups are refused. */
const MAX_GROUPS = 100_000;
const INVALID_SESSION_TIMEOUT = 26;
const NOT_COORDINATOR = 16;
const COORDINATOR_NOT_AVAILABLE = 15;
const GROUP_ID_NOT_FOUND = 69;
const NON_EMPTY_GROUP = 68;
const INVALID_GROUP_ID = 24;
const GROUP_SUBSCRIBED_TO_TOPIC = 86;
const UNKNOWN_SERVER_ERROR = -1;
const UNSTABLE_OFFSET_COMMIT = 88;
/** Batches of __consumer_offsets holding transaction markers, not offsets or groups. */
const ATTR_CONTROL = 0x20;

type TopicPartitionKey = string;
/** One partition's offset in an OffsetCommit or TxnOffsetCommit request. */
type CommittedOffset = { topic: string; partition: number; offset: number; leaderEpoch: number; metadata: string | null };

/** Offsets a transaction committed (TxnOffsetCommit) that wait for its marker: groupId -> partition -> offset. */
type PendingOffsets = Map<string, Map<TopicPartitionKey, OffsetValue>>;

/**
 * The classic consumer-group coordinator. A group belongs to the leader of its
 * __consumer_offsets partition (Kafka's hash rule), and both its committed offsets and its
 * membership are records in that compacted partition, written with acks=all:
 * - an OffsetCommit record per partition before the commit is answered;
 * - a GroupMetadata record (generation, protocol, leader, members with their subscription and
 *   assignment) when a generation's assignment arrives, before the members receive it (a failed
 *   write fails the sync and the group rebalances, as in Kafka), and one with no members when the
 *   group becomes Empty; DeleteGroups writes tombstones for both kinds.
 * When this broker becomes the partition's leader (a restart or a coordinator move), it replays
 * the partition: the latest GroupMetadata of each group brings it back Stable with the same
 * generation, so members keep heartbeating without a rebalance; their sessions restart at load
 * time and expire as usual if the clients are gone. Malformed records are skipped.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  /** groupId -> topic:partition -> committed offset */
  private readonly offsets = new Map<string, Map<TopicPartitionKey, OffsetValue>>();
  /** __consumer_offsets partition -> leader epoch it was loaded at */
  private readonly loaded = new Map<number, number>();
  /** producer id -> its transaction's offsets, applied by a COMMIT marker and dropped by an ABORT */
  private readonly pendingTxnOffsets = new Map<number, PendingOffsets>();
  private creatingTopic: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly settings: GroupCoordinatorSettings;
  private readonly persistence: GroupPersistence = {
    storeAssignment: (group) => this.storeGroup(group),
    storeEmpty: (group) => void this.storeGroup(group),
  };

  constructor(
    private readonly ctx: Pick<BrokerContext, 'brokerId' | 'listenerName' | 'metadata'> & { replicas: ReplicaManager; controller: ControllerChannel },
    settings: Partial<GroupCoordinatorSettings> = {},
    private readonly clock: { nowMs(): number } = { nowMs: () => Date.now() },
  ) {
    this.settings = { ...DEFAULT_GROUP_SETTINGS, ...settings };
  }

  start(): void {
    this.timer = setInterval(() => this.expireSessions(), 200);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Timer duty: expires sessions and rebalances of the groups this broker coordinates; groups of
   * partitions it no longer leads are unloaded (their next leader loads them from the log).
   */
  expireSessions(): void {
    const now = this.clock.nowMs();
    const leading = new Map<number, boolean>();
    for (const group of [...this.groups.values()]) {
      const index = this.partitionOf(group.groupId);
      let leader = leading.get(index);
      if (leader === undefined) {
        leader = this.ctx.replicas.getPartition(OFFSETS_TOPIC, index)?.isLeader === true;
        leading.set(index, leader);
        if (!leader) this.unload(index);
      }
      if (leader) group.expire(now);
    }
  }

  /** FindCoordinator: the broker leading the group's __consumer_offsets partition. */
  async findCoordinator(groupId: string): Promise<{ errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number }> {
    const none = { nodeId: -1, host: '', port: -1 };
    const image = this.ctx.metadata();
    const topic = image.topicByName(OFFSETS_TOPIC);
    if (!topic) {
      await this.createOffsetsTopic(image);
      return { errorCode: COORDINATOR_NOT_AVAILABLE, errorMessage: 'the offsets topic is being created', ...none };
    }
    const partition = topic.partitions.get(groupPartition(groupId, topic.partitions.size));
    const endpoint = partition && partition.leader !== NO_LEADER ? endpointOf({ ...this.ctx, metadata: () => image } as BrokerContext, partition.leader) : undefined;
    if (!partition || !endpoint) return { errorCode: COORDINATOR_NOT_AVAILABLE, errorMessage: 'the group partition has no leader', ...none };
    return { errorCode: 0, errorMessage: null, nodeId: partition.leader, host: endpoint.host, port: endpoint.port };
  }

  async join(request: Parameters<ConsumerGroup['join']>[0] & { groupId: string }): Promise<JoinResult> {
    const refused = (errorCode: number): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: request.memberId, members: [] });
    if (request.groupId === '') return refused(INVALID_GROUP_ID);
    const owner = this.ownership(request.groupId);
    if (owner !== 0) return refused(owner);
    if (request.sessionTimeoutMs < this.settings.minSessionTimeoutMs || request.sessionTimeoutMs > this.settings.maxSessionTimeoutMs) return refused(INVALID_SESSION_TIMEOUT);
    const group = this.groupFor(request.groupId, true);
    if (!group) return refused(COORDINATOR_NOT_AVAILABLE);
    return group.join(request, this.clock.nowMs());
  }

  async sync(request: { groupId: string; memberId: string; generationId: number; assignments: { memberId: string; assignment: Buffer }[] }): Promise<SyncResult> {
    const owner = this.ownership(request.groupId);
    const group = this.groups.get(request.groupId);
    if (owner !== 0 || !group) return { errorCode: owner !== 0 ? owner : GroupError.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    return group.sync(request, this.clock.nowMs());
  }

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    const owner = this.ownership(groupId);
    if (owner !== 0) return owner;
    const group = this.groups.get(groupId);
    return group ? group.heartbeat(memberId, generationId, this.clock.nowMs()) : GroupError.UNKNOWN_MEMBER_ID;
  }

  leave(groupId: string, memberIds: string[]): { errorCode: number; members: { memberId: string; errorCode: number }[] } {
    const owner = this.ownership(groupId);
    if (owner !== 0) return { errorCode: owner, members: [] };
    const group = this.groups.get(groupId);
    const members = memberIds.map((memberId) => ({ memberId, errorCode: group ? group.leave(memberId, this.clock.nowMs()) : GroupError.UNKNOWN_MEMBER_ID }));
    return { errorCode: members.length === 1 ? members[0].errorCode : 0, members };
  }

  /** OffsetCommit: checks membership, writes the offsets to the group's partition (acks=all), then caches them. */
  async commit(
    groupId: string,
    memberId: string,
    generationId: number,
    offsets: CommittedOffset[],
  ): Promise<number> {
    const owner = this.ownership(groupId);
    if (owner !== 0) return owner;
    const group = this.groupFor(groupId, true);
    const check = group ? group.checkCommit(memberId, generationId) : COORDINATOR_NOT_AVAILABLE;
    if (check !== 0) return check;
    if (offsets.length === 0) return 0;
    const written = await this.writeOffsets(groupId, offsets, null);
    if (written.errorCode !== 0) return written.errorCode;
    const cache = this.offsets.get(groupId) ?? new Map<TopicPartitionKey, OffsetValue>();
    for (const { key, value } of written.values) cache.set(key, value);
    this.offsets.set(groupId, cache);
    return 0;
  }

  /**
   * TxnOffsetCommit: writes the offsets to the group's partition as records of the producer's
   * transaction (acks=all); they take effect when the transaction's COMMIT marker reaches that
   * partition (see onTransactionMarker) and are dropped by an ABORT. A generation of -1 (clients
   * before v3, or a producer outside the group) skips the membership check, as in Kafka.
   */
  async txnCommit(
    groupId: string,
    producer: { producerId: number; producerEpoch: number },
    member: { memberId: string; generationId: number },
    offsets: CommittedOffset[],
  ): Promise<number> {
    const owner = this.ownership(groupId);
    if (owner !== 0) return owner;
    if (member.generationId >= 0) {
      const group = this.groups.get(groupId);
      const check = group ? group.checkCommit(member.memberId, member.generationId) : GroupError.UNKNOWN_MEMBER_ID;
      if (check !== 0) return check;
    }
    if (offsets.length === 0) return 0;
    const written = await this.writeOffsets(groupId, offsets, producer);
    if (written.errorCode !== 0) return written.errorCode;
    for (const { key, value } of written.values) this.stagePending(producer.producerId, groupId, key, value);
    return 0;
  }

  /**
   * The offset records of one commit, written to the group's partition with acks=all: plain
   * (OffsetCommit) or as records of `producer`'s transaction (TxnOffsetCommit). Answers the
   * values written for the cache, or the error code to answer the client with.
   */
  private async writeOffsets(
    groupId: string,
    offsets: CommittedOffset[],
    producer: { producerId: number; producerEpoch: number } | null,
  ): Promise<{ errorCode: number; values: { key: TopicPartitionKey; value: OffsetValue }[] }> {
    const now = this.clock.nowMs();
    const values = offsets.map((o) => ({ key: `${o.topic}:${o.partition}`, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestamp: now } }));
    const records = encodeBatch(
      offsets.map((o, i) => ({ key: encodeOffsetKey({ group: groupId, topic: o.topic, partition: o.partition }), value: encodeOffsetValue(values[i].value), timestamp: now })),
      producer === null ? {} : { producerId: producer.producerId, producerEpoch: producer.producerEpoch, transactional: true },
    );
    const [result] = await this.ctx.replicas.appendRecords(-1, 5_000, [{ topic: OFFSETS_TOPIC, partition: this.partitionOf(groupId), records }]);
    if (result.errorCode !== 0) return { errorCode: result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? NOT_COORDINATOR : result.errorCode, values: [] };
    return { errorCode: 0, values };
  }

  /**
   * A transaction marker was written to __consumer_offsets partition `partitionIndex`: the
   * producer's pending offsets for groups of that partition are committed or dropped.
   */
  onTransactionMarker(partitionIndex: number, producerId: number, commit: boolean): void {
    const pending = this.pendingTxnOffsets.get(producerId);
    if (!pending) return;
    for (const [groupId, offsets] of [...pending]) {
      if (this.partitionOf(groupId) !== partitionIndex) continue;
      pending.delete(groupId);
      if (!commit) continue;
      const cache = this.offsets.get(groupId) ?? new Map<TopicPartitionKey, OffsetValue>();
      for (const [key, value] of offsets) cache.set(key, value);
      this.offsets.set(groupId, cache);
    }
    if (pending.size === 0) this.pendingTxnOffsets.delete(producerId);
  }

  private stagePending(producerId: number, groupId: string, key: TopicPartitionKey, value: OffsetValue | null): void {
    const pending = this.pendingTxnOffsets.get(producerId) ?? new Map<string, Map<TopicPartitionKey, OffsetValue>>();
    const offsets = pending.get(groupId) ?? new Map<TopicPartitionKey, OffsetValue>();
    if (value) offsets.set(key, value);
    pending.set(groupId, offsets);
    this.pendingTxnOffsets.set(producerId, pending);
  }

  /**
   * OffsetFetch: committed offsets (all of the group's when `topics` is null); -1 when none. With
   * `requireStable` (read_committed clients), a partition whose offset an open transaction is
   * committing answers UNSTABLE_OFFSET_COMMIT, and the client retries.
   */
  fetchOffsets(
    groupId: string,
    topics: { name: string; partitions: number[] }[] | null,
    requireStable = false,
  ): { errorCode: number; topics: { name: string; partitions: { partition: number; offset: number; leaderEpoch: number; metadata: string | null; errorCode: number }[] }[] } {
    const owner = this.ownership(groupId);
    if (owner !== 0) return { errorCode: owner, topics: [] };
    const cache = this.offsets.get(groupId) ?? new Map<TopicPartitionKey, OffsetValue>();
    const unstable = requireStable ? this.pendingKeys(groupId) : new Set<TopicPartitionKey>();
    const wanted = topics ?? groupByTopic([...cache.keys()]);
    return {
      errorCode: 0,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const key = `${t.name}:${partition}`;
          if (unstable.has(key)) return { partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: UNSTABLE_OFFSET_COMMIT };
          const value = cache.get(key);
          return { partition, offset: value?.offset ?? -1, leaderEpoch: value?.leaderEpoch ?? -1, metadata: value?.metadata ?? '', errorCode: 0 };
        }),
      })),
    };
  }

  /** The group's partitions with offsets staged by open transactions. */
  private pendingKeys(groupId: string): Set<TopicPartitionKey> {
    const keys = new Set<TopicPartitionKey>();
    for (const pending of this.pendingTxnOffsets.values()) for (const key of pending.get(groupId)?.keys() ?? []) keys.add(key);
    return keys;
  }

  listGroups(): { groupId: string; protocolType: string; state: string }[] {
    const listed = new Map<string, { groupId: string; protocolType: string; state: string }>();
    for (const group of this.groups.values()) {
      if (this.ownership(group.groupId) === 0) listed.set(group.groupId, { groupId: group.groupId, protocolType: group.protocolType ?? '', state: group.state });
    }
    for (const groupId of this.offsets.keys()) {
      if (!listed.has(groupId) && this.ownership(groupId) === 0) listed.set(groupId, { groupId, protocolType: 'consumer', state: 'Empty' });
    }
    return [...listed.values()];
  }

  describeGroup(groupId: string): { errorCode: number; group: ConsumerGroup | null } {
    const owner = this.ownership(groupId);
    if (owner !== 0) return { errorCode: owner, group: null };
    return { errorCode: 0, group: this.groups.get(groupId) ?? null };
  }

  /**
   * OffsetDelete: removes committed offsets (tombstones in the log) for partitions of topics the
   * group is not subscribed to; subscribed topics answer GROUP_SUBSCRIBED_TO_TOPIC.
   */
  async deleteOffsets(groupId: string, partitions: { topic: string; partition: number }[]): Promise<{ errorCode: number; results: { topic: string; partition: number; errorCode: number }[] }> {
    const owner = this.ownership(groupId);
    if (owner !== 0) return { errorCode: owner, results: [] };
    const cache = this.offsets.get(groupId);
    const group = this.groups.get(groupId);
    if (!cache && !group) return { errorCode: GROUP_ID_NOT_FOUND, results: [] };
    const subscribed = group && group.members.size > 0 ? group.subscribedTopics() : new Set<string>();
    const results = partitions.map((p) => ({ ...p, errorCode: subscribed.has(p.topic) ? GROUP_SUBSCRIBED_TO_TOPIC : 0 }));
    const doomed = results.filter((r) => r.errorCode === 0 && cache?.has(`${r.topic}:${r.partition}`));
    if (doomed.length > 0) {
      const tombstones = encodeBatch(doomed.map((d) => ({ key: encodeOffsetKey({ group: groupId, topic: d.topic, partition: d.partition }), value: null })));
      const [result] = await this.ctx.replicas.appendRecords(-1, 5_000, [{ topic: OFFSETS_TOPIC, partition: this.partitionOf(groupId), records: tombstones }]);
      if (result.errorCode !== 0) return { errorCode: result.errorCode, results: [] };
      for (const d of doomed) cache?.delete(`${d.topic}:${d.partition}`);
    }
    return { errorCode: 0, results };
  }

  async deleteGroup(groupId: string): Promise<number> {
    const owner = this.ownership(groupId);
    if (owner !== 0) return owner;
    const group = this.groups.get(groupId);
    if (group && group.members.size > 0) return NON_EMPTY_GROUP;
    const cache = this.offsets.get(groupId);
    if (!group && !cache) return GROUP_ID_NOT_FOUND;
    // the offsets' tombstones and the group's (its membership record, if one was ever written)
    const tombstones = encodeBatch([
      ...[...(cache?.keys() ?? [])].map((key) => {
        const [topic, partition] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
        return { key: encodeOffsetKey({ group: groupId, topic, partition }), value: null };
      }),
      { key: encodeGroupMetadataKey(groupId), value: null },
    ]);
    const [result] = await this.ctx.replicas.appendRecords(-1, 5_000, [{ topic: OFFSETS_TOPIC, partition: this.partitionOf(groupId), records: tombstones }]);
    if (result.errorCode !== 0) return result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? NOT_COORDINATOR : result.errorCode;
    this.groups.delete(groupId);
    this.offsets.delete(groupId);
    return 0;
  }

  /** 0 when this broker coordinates the group now (loading its partition if needed), else an error code. */
  private ownership(groupId: string): number {
    const image = this.ctx.metadata();
    if (!image.topicByName(OFFSETS_TOPIC)) return COORDINATOR_NOT_AVAILABLE;
    const partitionIndex = this.partitionOf(groupId);
    const partition = this.ctx.replicas.getPartition(OFFSETS_TOPIC, partitionIndex);
    if (!partition || !partition.isLeader) return NOT_COORDINATOR;
    const epoch = partition.leaderAndIsr?.leaderEpoch ?? -1;
    if (this.loaded.get(partitionIndex) !== epoch) this.load(partitionIndex, epoch);
    return 0;
  }

  private partitionOf(groupId: string): number {
    return groupPartition(groupId, this.ctx.metadata().topicByName(OFFSETS_TOPIC)?.partitions.size ?? this.settings.offsetsTopicPartitions);
  }

  /**
   * Replays the partition (latest record per key wins, tombstones delete): committed offsets, and
   * each group's latest GroupMetadata, from which the group is rebuilt. Malformed records and
   * batches are skipped.
   */
  private load(partitionIndex: number, epoch: number): void {
    const partition = this.ctx.replicas.getPartition(OFFSETS_TOPIC, partitionIndex);
    if (!partition) return;
    this.unload(partitionIndex);
    const metadata = new Map<string, GroupMetadataValue | null>();
    for (const { header, bytes, position, records } of storedBatches(partition)) {
      const producerId = Number(bytes.readBigInt64BE(position + BATCH.PRODUCER_ID));
      if ((header.attributes & ATTR_CONTROL) !== 0) {
        // a transaction's end: its offsets staged below take effect (COMMIT) or vanish (ABORT)
        this.onTransactionMarker(partitionIndex, producerId, markerTypeAt(bytes, position) === MARKER_COMMIT);
      } else {
        const transactional = (header.attributes & ATTR_TRANSACTIONAL) !== 0 ? producerId : null;
        for (const record of records()) this.replay(record.key, record.value, metadata, transactional);
      }
    }
    const now = this.clock.nowMs();
    for (const [groupId, value] of metadata) {
      if (value && this.groups.size < MAX_GROUPS) this.groups.set(groupId, ConsumerGroup.restore(groupId, value, now, this.persistence));
    }
    this.loaded.set(partitionIndex, epoch);
  }

  private replay(keyBytes: Buffer | null, value: Buffer | null, metadata: Map<string, GroupMetadataValue | null>, transactionalProducer: number | null): void {
    try {
      const key = keyBytes ? decodeCoordinatorKey(keyBytes) : null;
      if (key?.kind === 'group') {
        metadata.set(key.group, value === null ? null : decodeGroupMetadataValue(value));
      } else if (key?.kind === 'offset' && transactionalProducer !== null) {
        const { group, topic, partition } = key.key;
        this.stagePending(transactionalProducer, group, `${topic}:${partition}`, value === null ? null : decodeOffsetValue(value));
      } else if (key?.kind === 'offset') {
        const { group, topic, partition } = key.key;
        const cache = this.offsets.get(group) ?? new Map<TopicPartitionKey, OffsetValue>();
        if (value === null) cache.delete(`${topic}:${partition}`);
        else cache.set(`${topic}:${partition}`, decodeOffsetValue(value));
        if (cache.size > 0) this.offsets.set(group, cache);
        else this.offsets.delete(group);
      }
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      // a record that does not parse is skipped; the group's earlier state stays
    }
  }

  /** Forgets the groups and offsets of a partition (before reloading it, or when no longer its leader). */
  private unload(partitionIndex: number): void {
    for (const groupId of [...this.offsets.keys()]) if (this.partitionOf(groupId) === partitionIndex) this.offsets.delete(groupId);
    for (const [producerId, pending] of [...this.pendingTxnOffsets]) {
      for (const groupId of [...pending.keys()]) if (this.partitionOf(groupId) === partitionIndex) pending.delete(groupId);
      if (pending.size === 0) this.pendingTxnOffsets.delete(producerId);
    }
    for (const [groupId, group] of [...this.groups]) {
      if (this.partitionOf(groupId) !== partitionIndex) continue;
      group.unload(NOT_COORDINATOR);
      this.groups.delete(groupId);
    }
    this.loaded.delete(partitionIndex);
  }

  /**
   * Appends the group's current membership as a GroupMetadata record (acks=all); resolves with the
   * error code the members should see (Kafka's mapping), 0 once it is stored.
   */
  private async storeGroup(group: ConsumerGroup): Promise<number> {
    try {
      const now = this.clock.nowMs();
      const records = encodeBatch([{ key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(group.metadata(now)), timestamp: now }]);
      const [result] = await this.ctx.replicas.appendRecords(-1, 5_000, [{ topic: OFFSETS_TOPIC, partition: this.partitionOf(group.groupId), records }]);
      return storeErrorCode(result.errorCode);
    } catch {
      return UNKNOWN_SERVER_ERROR;
    }
  }

  private groupFor(groupId: string, create: boolean): ConsumerGroup | undefined {
    let group = this.groups.get(groupId);
    if (!group && create && this.groups.size < MAX_GROUPS) {
      group = new ConsumerGroup(groupId, this.persistence);
      this.groups.set(groupId, group);
    }
    return group;
  }

  private createOffsetsTopic(image: MetadataImage): Promise<void> {
    this.creatingTopic ??= this.ctx.controller
      .call('topics.create', {
        topics: [
          {
            name: OFFSETS_TOPIC,
            numPartitions: this.settings.offsetsTopicPartitions,
            replicationFactor: Math.max(1, Math.min(this.settings.offsetsTopicReplicationFactor, image.activeBrokers().length)),
            assignments: [],
            configs: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
        validateOnly: false,
      })
      .then(() => undefined, () => undefined)
      .finally(() => (this.creatingTopic = null));
    return this.creatingTopic;
  }
}

/** Kafka's mapping of a failed group write to what the members are told. */
function storeErrorCode(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.NONE:
      return 0;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}

function groupByTopic(keys: TopicPartitionKey[]): { name: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const at = key.lastIndexOf(':');
    const name = key.slice(0, at);
    byTopic.set(name, [...(byTopic.get(name) ?? []), Number(key.slice(at + 1))]);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a - b) }));
}
