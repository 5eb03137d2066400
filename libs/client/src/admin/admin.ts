import { KafkaProtocolError } from '@tributary/protocol';
import { BrokerInfo, ClusterClient, TopicInfo, kafkaError } from '../cluster/cluster-client';
import { ConnectionError, KafkaConnection } from '../network/kafka-connection';

export interface AdminOptions {
  /** Attempts after the first on retriable errors (connection errors, NOT_CONTROLLER, retriable Kafka codes). Default 5. */
  retries?: number;
  /** Wait before the first retry; doubled per attempt, at most 2 s. Default 100 ms. */
  retryBackoffMs?: number;
  /** Broker-side timeout of topic and partition changes (CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords). Default 30 s. */
  timeoutMs?: number;
  /** How long createTopics/createPartitions wait for every new partition to have a leader. Default 10 s. */
  leaderWaitMs?: number;
}

export interface NewTopic {
  name: string;
  /** Default: the broker's num.partitions. */
  partitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface CreateTopicsOptions {
  /** Only check the request (names, counts, placement, configs); nothing is created. */
  validateOnly?: boolean;
  /** Broker-side timeout; default AdminOptions.timeoutMs. */
  timeoutMs?: number;
}

export interface CreatedTopic {
  name: string;
  topicId: string;
  partitions: number;
  replicationFactor: number;
}

export interface PartitionDescription {
  partition: number;
  /** -1 while the partition has no (live) leader. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionDescription[];
}

/** Kafka's DescribeConfigsResponse ConfigSource, by name. */
export type ConfigSource =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

export interface ConfigEntry {
  /** null for sensitive values (brokers never send those) and for configs without a value. */
  value: string | null;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
  source: ConfigSource;
}

/** One partition's election outcome: null error when a new leader was elected. */
export interface LeaderElection {
  topic: string;
  partition: number;
  error: KafkaProtocolError | null;
}

export interface ClusterDescription {
  clusterId: string;
  /** In KRaft mode a live broker that forwards admin requests to the controller quorum. */
  controllerId: number;
  brokers: BrokerInfo[];
}

/** earliest: the log start offset; latest: the high watermark; timestamp: the first offset whose timestamp is at or after it. */
export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

export interface PartitionOffset {
  partition: number;
  /** -1 when no record has a timestamp at or after the one asked for. */
  offset: number;
  /** The found record's timestamp for timestamp lookups; -1 otherwise. */
  timestamp: number;
}

export interface LowWatermark {
  partition: number;
  lowWatermark: number;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The member's subscription in the group's protocol (for "consumer": ConsumerProtocolSubscription). */
  metadata: Buffer;
  /** What the leader assigned to it (for "consumer": ConsumerProtocolAssignment). */
  assignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable, or Dead (also for groups that do not exist). */
  state: string;
  protocolType: string;
  /** The chosen assignor (e.g. "range"); empty unless the group is Stable or rebalancing. */
  protocol: string;
  members: GroupMember[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** An offset resetOffsets commits (or would commit, in a dry run). */
export interface ResetOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  /** The high watermark; null when the topic is gone. */
  logEnd: number | null;
  /** logEnd - committed (never negative); null when logEnd is unknown. */
  lag: number | null;
}

export type ResetTarget = 'earliest' | 'latest' | { timestamp: number } | { offset: number };

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const RESOURCE_TOPIC = 2;
const CONFIG_SET = 0;
const CONFIG_DELETE = 1;
const EARLIEST_TIMESTAMP = -2;
const LATEST_TIMESTAMP = -1;
const KEY_TYPE_GROUP = 0;
const READ_UNCOMMITTED = 0;
const CONSUMER_REPLICA_ID = -1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_NOT_AVAILABLE = 5;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;
const NOT_CONTROLLER = 41;
const INVALID_REQUEST = 42;
const CONFIG_SOURCES: ConfigSource[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

/**
 * Errors that end the retries although their code is retriable: UNKNOWN_TOPIC_OR_PARTITION is
 * retriable for a leader that has not loaded a new partition yet, but when the controller (or
 * the metadata) says a topic does not exist, asking again only delays the answer.
 */
const finalErrors = new WeakSet<Error>();

function final<E extends Error>(error: E): E {
  finalErrors.add(error);
  return error;
}

/** A per-item answer of a request that the controller or metadata decided: never retried when it is "unknown topic". */
function answerError(code: number, context: string, message?: string | null): KafkaProtocolError {
  const error = kafkaError(code, context, message);
  return code === UNKNOWN_TOPIC_OR_PARTITION ? final(error) : error;
}

function isRetriable(error: Error): boolean {
  if (finalErrors.has(error)) return false;
  if (error instanceof ConnectionError) return true;
  return error instanceof KafkaProtocolError && (error.retriable || error.code === NOT_CONTROLLER);
}

function isCoordinatorMoved(error: unknown): boolean {
  return error instanceof ConnectionError || (error instanceof KafkaProtocolError && (error.code === NOT_COORDINATOR || error.code === COORDINATOR_NOT_AVAILABLE));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The admin client on the native protocol: topics, partitions, configs, offsets, records and
 * consumer groups. Topic and config changes go to any broker (brokers forward them to the
 * controller quorum), ListOffsets and DeleteRecords to each partition's leader, group requests
 * to the group's coordinator.
 *
 * Per-item failures raise the typed KafkaProtocolError (`code`, `errorName`, `retriable`) with a
 * message naming the topic or group. Retriable failures (connection errors, NOT_CONTROLLER,
 * Kafka's retriable codes) are retried a bounded number of times with exponential backoff; in a
 * multi-item call only the failed items are sent again, and the first item that still fails is
 * raised (the others of the same call may have taken effect).
 *
 * The Admin does not own the ClusterClient: it opens no connections of its own (it uses the
 * client's pool) and has nothing to close. The caller closes the ClusterClient.
 */
export class Admin {
  private readonly options: Required<AdminOptions>;
  /** group id -> coordinator node id, forgotten on NOT_COORDINATOR and connection errors. */
  private readonly coordinators = new Map<string, number>();

  constructor(
    private readonly cluster: ClusterClient,
    options: AdminOptions = {},
  ) {
    this.options = {
      retries: options.retries ?? 5,
      retryBackoffMs: options.retryBackoffMs ?? 100,
      timeoutMs: options.timeoutMs ?? 30_000,
      leaderWaitMs: options.leaderWaitMs ?? 10_000,
    };
  }

  // ---------------------------------------------------------------- topics

  /**
   * Creates topics; with validateOnly nothing is created. Then waits (at most leaderWaitMs) until
   * every partition of the new topics has a leader, so producers can use them right away.
   */
  async createTopics(topics: NewTopic[], options: CreateTopicsOptions = {}): Promise<CreatedTopic[]> {
    const byName = new Map<string, NewTopic>();
    for (const topic of topics) {
      if (byName.has(topic.name)) throw kafkaError(INVALID_REQUEST, `create topic ${topic.name}`, 'the topic is named more than once in the call');
      byName.set(topic.name, topic);
    }
    const validateOnly = options.validateOnly ?? false;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const created = await this.retryEach([...byName.keys()], (pending) =>
      this.onAnyBroker(async (connection) => {
        const response = await connection.request(19, {
          topics: pending.map((name) => {
            const topic = byName.get(name)!;
            return {
              name,
              numPartitions: topic.partitions ?? -1,
              replicationFactor: topic.replicationFactor ?? -1,
              assignments: [],
              configs: Object.entries(topic.configs ?? {}).map(([key, value]) => ({ name: key, value })),
            };
          }),
          timeoutMs,
          validateOnly,
        });
        return new Map(
          response.topics.map((r): [string, CreatedTopic | Error] => [
            r.name,
            r.errorCode !== 0
              ? answerError(r.errorCode, `create topic ${r.name}`, r.errorMessage)
              : { name: r.name, topicId: r.topicId, partitions: r.numPartitions >= 0 ? r.numPartitions : (byName.get(r.name)?.partitions ?? 1), replicationFactor: r.replicationFactor },
          ]),
        );
      }),
    );
    const results = [...byName.keys()].map((name) => created.get(name)!);
    if (!validateOnly) await this.awaitLeaders(new Map(results.map((t) => [t.name, t.partitions])), 'created');
    return results;
  }

  /** Deletes topics by name. */
  async deleteTopics(names: string[]): Promise<void> {
    const timeoutMs = this.options.timeoutMs;
    try {
      await this.retryEach(names, (pending) =>
        this.onAnyBroker(async (connection) => {
          const byId = connection.versionFor(20) >= 6;
          const response = await connection.request(20, byId ? { topics: pending.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs } : { topicNames: pending, timeoutMs });
          return new Map(response.responses.map((r): [string, true | Error] => [r.name ?? '', r.errorCode === 0 ? true : answerError(r.errorCode, `delete topic ${r.name}`, r.errorMessage)]));
        }),
      );
    } finally {
      for (const name of names) this.cluster.invalidate(name);
    }
  }

  /** Names of all topics, sorted; internal ones (__consumer_offsets, ...) only when asked for. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    const response = await this.retry(() => this.onAnyBroker((connection) => connection.request(3, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })));
    return response.topics
      .filter((t): t is typeof t & { name: string } => t.name !== null && t.errorCode === 0 && (options.includeInternal === true || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Partitions (leader, replicas, ISR) and topic ids of `names`, in the order asked for. */
  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    const described = await this.retryEach(names, (pending) =>
      this.onAnyBroker(async (connection) => {
        const response = await connection.request(3, { topics: pending.map((name) => ({ name, topicId: ZERO_UUID })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
        return new Map(
          response.topics.map((t): [string, TopicDescription | Error] => [
            t.name ?? '',
            t.errorCode !== 0
              ? answerError(t.errorCode, `describe topic ${t.name}`)
              : {
                  name: t.name ?? '',
                  topicId: t.topicId,
                  internal: t.isInternal,
                  partitions: t.partitions
                    .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, offlineReplicas: p.offlineReplicas }))
                    .sort((a, b) => a.partition - b.partition),
                },
          ]),
        );
      }),
    );
    return names.map((name) => described.get(name)!);
  }

  /** Grows `topic` to `totalCount` partitions (Kafka never shrinks a topic), then waits for their leaders. */
  async createPartitions(topic: string, totalCount: number, options: { validateOnly?: boolean } = {}): Promise<void> {
    const validateOnly = options.validateOnly ?? false;
    await this.retry(() =>
      this.onAnyBroker(async (connection) => {
        const response = await connection.request(37, { topics: [{ name: topic, count: totalCount, assignments: null }], timeoutMs: this.options.timeoutMs, validateOnly });
        const result = response.results.find((r) => r.name === topic);
        if (!result) throw kafkaError(-1, `create partitions of topic ${topic}`, 'the broker did not answer for the topic');
        if (result.errorCode !== 0) throw answerError(result.errorCode, `create partitions of topic ${topic}`, result.errorMessage);
      }),
    );
    if (!validateOnly) await this.awaitLeaders(new Map([[topic, totalCount]]), 'grown');
  }

  /**
   * Elects leaders: 'preferred' moves leadership back to each partition's first replica (where it
   * is live and in sync); 'unclean' gives leaderless partitions any live replica, accepting the
   * loss of records only the dead leader had. Without `partitions`, every partition is
   * considered and only those where an election applied are reported.
   */
  async electLeaders(type: 'preferred' | 'unclean', partitions?: { topic: string; partition: number }[]): Promise<LeaderElection[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const response = await this.retry(() =>
      this.onAnyBroker((connection) =>
        connection.request(43, {
          electionType: type === 'preferred' ? 0 : 1,
          topicPartitions: partitions ? [...byTopic].map(([topic, ids]) => ({ topic, partitions: ids })) : null,
          timeoutMs: this.options.timeoutMs,
        }),
      ),
    );
    if (response.errorCode !== 0) throw kafkaError(response.errorCode, `elect ${type} leaders`);
    for (const topic of new Set(response.replicaElectionResults.map((r) => r.topic))) this.cluster.invalidate(topic);
    return response.replicaElectionResults.flatMap((t) =>
      t.partitionResult.map((p) => ({ topic: t.topic, partition: p.partitionId, error: p.errorCode === 0 ? null : kafkaError(p.errorCode, `elect a leader for ${t.topic}-${p.partitionId}`, p.errorMessage) })),
    );
  }

  // --------------------------------------------------------------- configs

  /** The topic's configs: every key the broker knows (or just `keys`), with value and origin. */
  async describeConfigs(topic: string, keys?: string[]): Promise<Record<string, ConfigEntry>> {
    return this.retry(() =>
      this.onAnyBroker(async (connection) => {
        const version = connection.versionFor(32);
        const response = await connection.request(32, {
          resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, configurationKeys: keys ?? null }],
          includeSynonyms: false,
          includeDocumentation: false,
        });
        const result = response.results.find((r) => r.resourceType === RESOURCE_TOPIC && r.resourceName === topic);
        if (!result) throw kafkaError(-1, `describe configs of topic ${topic}`, 'the broker did not answer for the topic');
        if (result.errorCode !== 0) throw answerError(result.errorCode, `describe configs of topic ${topic}`, result.errorMessage);
        const configs: Record<string, ConfigEntry> = {};
        for (const c of result.configs) {
          // v0 has an isDefault flag; later versions say where the value comes from instead
          const source = version === 0 ? (c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN') : (CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN');
          configs[c.name] = { value: c.isSensitive ? null : c.value, isDefault: source === 'DEFAULT_CONFIG', readOnly: c.readOnly, sensitive: c.isSensitive, source };
        }
        return configs;
      }),
    );
  }

  /**
   * Changes some of a topic's configs and leaves the others alone (IncrementalAlterConfigs):
   * a string sets the key, null deletes the override so the default applies again.
   */
  async alterConfigs(topic: string, set: Record<string, string | null>, options: { validateOnly?: boolean } = {}): Promise<void> {
    await this.retry(() =>
      this.onAnyBroker(async (connection) => {
        const response = await connection.request(44, {
          resources: [
            {
              resourceType: RESOURCE_TOPIC,
              resourceName: topic,
              configs: Object.entries(set).map(([name, value]) => ({ name, configOperation: value === null ? CONFIG_DELETE : CONFIG_SET, value })),
            },
          ],
          validateOnly: options.validateOnly ?? false,
        });
        const result = response.responses.find((r) => r.resourceType === RESOURCE_TOPIC && r.resourceName === topic);
        if (!result) throw kafkaError(-1, `alter configs of topic ${topic}`, 'the broker did not answer for the topic');
        if (result.errorCode !== 0) throw answerError(result.errorCode, `alter configs of topic ${topic}`, result.errorMessage);
      }),
    );
  }

  // --------------------------------------------------------------- cluster

  async describeCluster(): Promise<ClusterDescription> {
    const response = await this.retry(() =>
      this.onAnyBroker(async (connection) => {
        const answer = await connection.request(60, { includeClusterAuthorizedOperations: false, endpointType: 1 });
        if (answer.errorCode !== 0) throw kafkaError(answer.errorCode, 'describe cluster', answer.errorMessage);
        return answer;
      }),
    );
    return {
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  // ------------------------------------------------------ offsets, records

  /** One offset per partition of `topic`, asked of each partition's leader (read_uncommitted, as a consumer sees the log). */
  async listOffsets(topic: string, spec: OffsetSpec): Promise<PartitionOffset[]> {
    const timestamp = spec === 'earliest' ? EARLIEST_TIMESTAMP : spec === 'latest' ? LATEST_TIMESTAMP : spec.timestamp;
    if (!Number.isSafeInteger(timestamp) || (typeof spec === 'object' && timestamp < 0)) throw new RangeError(`bad offset timestamp ${timestamp}`);
    const partitions = (await this.topicInfo(topic)).partitions.map((p) => p.partition);
    const found = await this.retryEach(
      partitions,
      (pending) =>
        this.perLeader(topic, pending, async (connection, asked) => {
          const version = connection.versionFor(2);
          const response = await connection.request(2, {
            replicaId: CONSUMER_REPLICA_ID,
            isolationLevel: READ_UNCOMMITTED,
            topics: [{ name: topic, partitions: asked.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
            timeoutMs: this.options.timeoutMs,
          });
          const answers = new Map<number, PartitionOffset | Error>();
          for (const p of response.topics.find((t) => t.name === topic)?.partitions ?? []) {
            const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset;
            answers.set(p.partitionIndex, p.errorCode !== 0 ? kafkaError(p.errorCode, `list offsets of ${topic}-${p.partitionIndex}`) : { partition: p.partitionIndex, offset: Number(offset), timestamp: Number(p.timestamp) });
          }
          return answers;
        }),
      () => this.cluster.invalidate(topic),
    );
    return partitions.map((p) => found.get(p)!);
  }

  /**
   * Deletes the records before the given offsets (partition -> offset; -1: up to the high
   * watermark). Returns each partition's new low watermark (its log start offset).
   */
  async deleteRecords(topic: string, beforeOffsets: Record<number, number>): Promise<LowWatermark[]> {
    const targets = new Map(Object.entries(beforeOffsets).map(([p, offset]) => [Number(p), offset]));
    const done = await this.retryEach(
      [...targets.keys()].sort((a, b) => a - b),
      (pending) =>
        this.perLeader(topic, pending, async (connection, asked) => {
          const response = await connection.request(21, {
            topics: [{ name: topic, partitions: asked.map((partitionIndex) => ({ partitionIndex, offset: targets.get(partitionIndex)! })) }],
            timeoutMs: this.options.timeoutMs,
          });
          const answers = new Map<number, LowWatermark | Error>();
          for (const p of response.topics.find((t) => t.name === topic)?.partitions ?? []) {
            answers.set(
              p.partitionIndex,
              p.errorCode !== 0 ? kafkaError(p.errorCode, `delete records of ${topic}-${p.partitionIndex} before offset ${targets.get(p.partitionIndex)}`) : { partition: p.partitionIndex, lowWatermark: Number(p.lowWatermark) },
            );
          }
          return answers;
        }),
      () => this.cluster.invalidate(topic),
    );
    return [...done.values()].sort((a, b) => a.partition - b.partition);
  }

  // ---------------------------------------------------------------- groups

  /** Every group of every broker (each broker lists the groups it coordinates), sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    await this.retry(() => this.cluster.refresh([]));
    const nodeIds = this.cluster.brokerList().map((b) => b.nodeId);
    const perBroker = await this.retryEach(nodeIds, async (pending) => {
      const answers = await Promise.all(
        pending.map(async (nodeId): Promise<[number, GroupListing[] | Error]> => {
          try {
            const response = await this.onNode(nodeId, (connection) => connection.request(16, { statesFilter: [], typesFilter: [] }));
            if (response.errorCode !== 0) return [nodeId, kafkaError(response.errorCode, `list groups of broker ${nodeId}`)];
            return [nodeId, response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState }))];
          } catch (error) {
            return [nodeId, asError(error)];
          }
        }),
      );
      return new Map(answers);
    });
    const groups = new Map<string, GroupListing>();
    for (const listing of [...perBroker.values()].flat()) groups.set(listing.groupId, listing);
    return [...groups.values()].sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  /** State, protocol and members of a group; a group that does not exist is "Dead" with no members. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.withCoordinator(groupId, async (connection) => {
      const response = await connection.request(15, { groups: [groupId], includeAuthorizedOperations: false });
      const group = response.groups.find((g) => g.groupId === groupId);
      if (!group) throw kafkaError(-1, `describe group ${groupId}`, 'the coordinator did not answer for the group');
      if (group.errorCode !== 0) throw kafkaError(group.errorCode, `describe group ${groupId}`);
      return {
        groupId,
        state: group.groupState,
        protocolType: group.protocolType,
        protocol: group.protocolData,
        members: group.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: m.memberMetadata,
          assignment: m.memberAssignment,
        })),
      };
    });
  }

  /** Deletes groups and their committed offsets; only groups without members (NON_EMPTY_GROUP otherwise). */
  async deleteGroups(groupIds: string[]): Promise<void> {
    await this.retryEach(groupIds, async (pending) => {
      const results = new Map<string, true | Error>();
      const byCoordinator = new Map<number, string[]>();
      await Promise.all(
        pending.map(async (groupId) => {
          try {
            const nodeId = await this.coordinator(groupId);
            byCoordinator.set(nodeId, [...(byCoordinator.get(nodeId) ?? []), groupId]);
          } catch (error) {
            results.set(groupId, asError(error));
          }
        }),
      );
      await Promise.all(
        [...byCoordinator].map(async ([nodeId, ids]) => {
          try {
            const response = await this.onNode(nodeId, (connection) => connection.request(42, { groupsNames: ids }));
            for (const r of response.results) results.set(r.groupId, r.errorCode === 0 ? true : kafkaError(r.errorCode, `delete group ${r.groupId}`));
          } catch (error) {
            for (const id of ids) results.set(id, asError(error));
          }
        }),
      );
      for (const [groupId, result] of results) if (isCoordinatorMoved(result)) this.coordinators.delete(groupId);
      return results;
    });
  }

  /**
   * The group's committed offsets, sorted by topic and partition: of every partition it has
   * committed for, or of every partition of `topics` (offset -1 where nothing is committed).
   */
  async fetchOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]> {
    const wanted = topics ? await Promise.all(topics.map(async (name) => ({ name, partitionIndexes: (await this.topicInfo(name)).partitions.map((p) => p.partition) }))) : null;
    return this.withCoordinator(groupId, async (connection) => {
      const context = `fetch offsets of group ${groupId}`;
      let answered: { name: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string | null; errorCode: number }[] }[];
      if (connection.versionFor(9) >= 8) {
        const response = await connection.request(9, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: wanted }], requireStable: false });
        const group = response.groups.find((g) => g.groupId === groupId);
        if (!group) throw kafkaError(-1, context, 'the coordinator did not answer for the group');
        if (group.errorCode !== 0) throw kafkaError(group.errorCode, context);
        answered = group.topics;
      } else {
        const response = await connection.request(9, { groupId, topics: wanted, requireStable: false });
        if (response.errorCode !== 0) throw kafkaError(response.errorCode, context);
        answered = response.topics;
      }
      const offsets: CommittedOffset[] = [];
      for (const t of answered) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw kafkaError(p.errorCode, `${context} for ${t.name}-${p.partitionIndex}`);
          offsets.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
        }
      }
      return offsets.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
    });
  }

  /** For each partition the group has committed: committed offset, log end (high watermark) and lag. */
  async groupLag(groupId: string): Promise<PartitionLag[]> {
    const committed = (await this.fetchOffsets(groupId)).filter((c) => c.offset >= 0);
    const logEnds = new Map<string, Map<number, number>>();
    for (const topic of new Set(committed.map((c) => c.topic))) {
      try {
        logEnds.set(topic, new Map((await this.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset])));
      } catch (error) {
        // offsets can outlive their topic; report those partitions without a log end
        if (!(error instanceof KafkaProtocolError && error.code === UNKNOWN_TOPIC_OR_PARTITION)) throw error;
      }
    }
    return committed.map((c) => {
      const logEnd = logEnds.get(c.topic)?.get(c.partition) ?? null;
      return { topic: c.topic, partition: c.partition, committed: c.offset, logEnd, lag: logEnd === null ? null : Math.max(0, logEnd - c.offset) };
    });
  }

  /**
   * Moves the group's committed offsets of every partition of `topic` (what
   * kafka-consumer-groups --reset-offsets does) and returns the planned offsets; a dry run only
   * returns them. Commits as an admin (generation -1, no member id), which Kafka accepts only
   * while the group has no members: for an active group the broker's error is raised.
   * A timestamp without a later record resolves to the log end; an explicit offset is clamped
   * into [earliest, latest].
   */
  async resetOffsets(groupId: string, topic: string, to: ResetTarget, options: { dryRun?: boolean } = {}): Promise<ResetOffset[]> {
    const planned = await this.plannedOffsets(topic, to);
    if (!options.dryRun) {
      await this.withCoordinator(groupId, async (connection) => {
        const response = await connection.request(8, {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          topics: [{ name: topic, partitions: planned.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, committedMetadata: '' })) }],
        });
        for (const t of response.topics) {
          for (const p of t.partitions) if (p.errorCode !== 0) throw kafkaError(p.errorCode, `reset offsets of group ${groupId} for ${t.name}-${p.partitionIndex}`);
        }
      });
    }
    return planned;
  }

  // -------------------------------------------------------------- internals

  private async plannedOffsets(topic: string, to: ResetTarget): Promise<ResetOffset[]> {
    const plan = (offsets: { partition: number; offset: number }[]) => offsets.map(({ partition, offset }) => ({ topic, partition, offset }));
    if (to === 'earliest' || to === 'latest') return plan(await this.listOffsets(topic, to));
    if ('timestamp' in to) {
      const [byTime, latest] = await Promise.all([this.listOffsets(topic, { timestamp: to.timestamp }), this.listOffsets(topic, 'latest')]);
      const ends = new Map(latest.map((o) => [o.partition, o.offset]));
      return plan(byTime.map((o) => ({ partition: o.partition, offset: o.offset >= 0 ? o.offset : (ends.get(o.partition) ?? 0) })));
    }
    if (!Number.isSafeInteger(to.offset) || to.offset < 0) throw new RangeError(`bad offset ${to.offset}`);
    const [earliest, latest] = await Promise.all([this.listOffsets(topic, 'earliest'), this.listOffsets(topic, 'latest')]);
    const ends = new Map(latest.map((o) => [o.partition, o.offset]));
    return plan(earliest.map((o) => ({ partition: o.partition, offset: Math.min(Math.max(to.offset, o.offset), ends.get(o.partition) ?? to.offset) })));
  }

  /** Polls metadata (refreshing the shared cache) until each topic has `count` partitions, all led. */
  private async awaitLeaders(expected: Map<string, number>, what: string): Promise<void> {
    if (expected.size === 0) return;
    const deadline = Date.now() + this.options.leaderWaitMs;
    for (;;) {
      let waitingFor: string | undefined;
      try {
        await this.cluster.refresh([...expected.keys()]);
        waitingFor = [...expected].find(([name, count]) => {
          const info = this.cluster.cachedTopic(name);
          return !info || info.partitions.length < count || info.partitions.some((p) => p.leader < 0);
        })?.[0];
      } catch (error) {
        if (!isRetriable(asError(error))) throw error;
        waitingFor = [...expected.keys()][0];
      }
      if (waitingFor === undefined) return;
      if (Date.now() >= deadline) throw kafkaError(LEADER_NOT_AVAILABLE, `topic ${waitingFor}`, `${what}, but not every partition has a leader after ${this.options.leaderWaitMs} ms`);
      await sleep(100);
    }
  }

  /** The topic's metadata (cached); a topic the metadata does not know fails at once. */
  private async topicInfo(topic: string): Promise<TopicInfo> {
    return this.retry(async () => {
      try {
        return await this.cluster.topic(topic);
      } catch (error) {
        if (error instanceof KafkaProtocolError && error.code === UNKNOWN_TOPIC_OR_PARTITION) throw final(error);
        throw error;
      }
    });
  }

  /** Sends per-partition requests to each partition's leader; failures come back per partition. */
  private async perLeader<R>(topic: string, partitions: number[], send: (connection: KafkaConnection, partitions: number[]) => Promise<Map<number, R | Error>>): Promise<Map<number, R | Error>> {
    let info = await this.topicInfo(topic);
    if (partitions.some((partition) => !info.partitions.some((p) => p.partition === partition))) {
      // the cached metadata may predate a createPartitions: look again before calling a partition unknown
      this.cluster.invalidate(topic);
      info = await this.topicInfo(topic);
    }
    const results = new Map<number, R | Error>();
    const byLeader = new Map<number, number[]>();
    for (const partition of partitions) {
      const leader = info.partitions.find((p) => p.partition === partition)?.leader;
      if (leader === undefined) results.set(partition, final(kafkaError(UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} has no partition ${partition}`)));
      else if (leader < 0) results.set(partition, kafkaError(LEADER_NOT_AVAILABLE, `${topic}-${partition}`));
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, asked]) => {
        try {
          for (const [partition, result] of await this.onNode(leader, (connection) => send(connection, asked))) results.set(partition, result);
        } catch (error) {
          for (const partition of asked) results.set(partition, asError(error));
        }
      }),
    );
    return results;
  }

  /** Runs `request` against the group's coordinator, finding it again when it moved. */
  private withCoordinator<T>(groupId: string, request: (connection: KafkaConnection) => Promise<T>): Promise<T> {
    return this.retry(async () => {
      const nodeId = await this.coordinator(groupId);
      try {
        return await this.onNode(nodeId, request);
      } catch (error) {
        if (isCoordinatorMoved(error)) this.coordinators.delete(groupId);
        throw error;
      }
    });
  }

  /** The group's coordinator (FindCoordinator, key type group), cached. */
  private async coordinator(groupId: string): Promise<number> {
    const cached = this.coordinators.get(groupId);
    if (cached !== undefined) return cached;
    const context = `find coordinator of group ${groupId}`;
    const answer = await this.onAnyBroker(async (connection) => {
      if (connection.versionFor(10) >= 4) {
        const response = await connection.request(10, { keyType: KEY_TYPE_GROUP, coordinatorKeys: [groupId] });
        return response.coordinators.find((c) => c.key === groupId);
      }
      return connection.request(10, { key: groupId, keyType: KEY_TYPE_GROUP });
    });
    if (!answer) throw kafkaError(COORDINATOR_NOT_AVAILABLE, context, 'the broker did not answer for the group');
    if (answer.errorCode !== 0) throw kafkaError(answer.errorCode, context, answer.errorMessage);
    this.coordinators.set(groupId, answer.nodeId);
    return answer.nodeId;
  }

  private async onAnyBroker<T>(request: (connection: KafkaConnection) => Promise<T>): Promise<T> {
    return request(await this.cluster.anyConnection());
  }

  /** Runs `request` on broker `nodeId`'s pooled connection; a broken connection is dropped so a retry reconnects. */
  private async onNode<T>(nodeId: number, request: (connection: KafkaConnection) => Promise<T>): Promise<T> {
    if (!this.cluster.brokerList().some((b) => b.nodeId === nodeId)) await this.cluster.refresh([]);
    const connection = await this.cluster.connection(nodeId);
    try {
      return await request(connection);
    } catch (error) {
      if (error instanceof ConnectionError && !connection.connected) this.cluster.dropConnection(nodeId, connection);
      throw error;
    }
  }

  private async retry<T>(operation: () => Promise<T>): Promise<T> {
    const results = await this.retryEach([0], async () => new Map([[0, await operation()]]));
    return results.get(0)!;
  }

  /**
   * Runs `attempt` for the keys still pending until each has an answer or a final error: a
   * retriable error puts the key back for the next round (at most `retries` more rounds, with
   * exponential backoff, after `beforeRetry`). Throws the first key's final error, in key order.
   */
  private async retryEach<K, R>(keys: K[], attempt: (pending: K[]) => Promise<Map<K, R | Error>>, beforeRetry?: () => void): Promise<Map<K, R>> {
    const done = new Map<K, R>();
    const failed = new Map<K, Error>();
    let pending = [...new Set(keys)];
    for (let round = 0; pending.length > 0; round++) {
      let answers: Map<K, R | Error>;
      try {
        answers = await attempt(pending);
      } catch (error) {
        const e = asError(error);
        answers = new Map(pending.map((key) => [key, e]));
      }
      const again: K[] = [];
      for (const key of pending) {
        const answer = answers.has(key) ? answers.get(key)! : kafkaError(-1, `no answer for ${String(key)}`);
        if (!(answer instanceof Error)) done.set(key, answer);
        else if (isRetriable(answer) && round < this.options.retries) again.push(key);
        else failed.set(key, answer);
      }
      pending = again;
      if (pending.length > 0) {
        beforeRetry?.();
        await sleep(Math.min(this.options.retryBackoffMs * 2 ** round, 2_000));
      }
    }
    for (const key of keys) {
      const error = failed.get(key);
      if (error) throw error;
    }
    return done;
  }
}
