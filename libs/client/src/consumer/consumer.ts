import { ConsumedRecord, KafkaProtocolError, RecordBatch, readRecordBatches } from '@tributary/protocol';
import { ClusterClient, isStaleMetadataError, kafkaError } from '../cluster/cluster-client';
import { AbortedTransactionFilter } from './aborted-transactions';
import { FetchedRecords } from './fetched-records';
import { KafkaConnection } from '../network/kafka-connection';
import { ASSIGNORS, AssignorName, COOPERATIVE_ASSIGNORS, MemberSubscription } from './assignors';
import { Assignment, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './consumer-protocol';

export interface ConsumerOptions {
  /** Consumer group; without one, partitions are assigned by hand (assign()). */
  groupId?: string;
  /** Static membership (group.instance.id): a restart within the session timeout keeps the assignment. */
  groupInstanceId?: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Assignment strategies offered, in preference order. Default range, then roundrobin. When every
   * one offered is cooperative (['cooperative-sticky']) the consumer rebalances cooperatively
   * (KIP-429): it keeps consuming its partitions while the group rebalances, and gives up only
   * the partitions that move to another member.
   */
  assignors?: AssignorName[];
  /** Where to start without a committed offset: the log start (true) or its end. Default false. */
  fromBeginning?: boolean;
  /** Commit consumed positions every autoCommitIntervalMs and before a rebalance. Default on with a group. */
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  /**
   * 0 read_uncommitted, 1 read_committed: the broker bounds fetches by the last stable offset and
   * the records of aborted transactions are dropped (AbortedTransactionFilter).
   */
  isolationLevel?: 0 | 1;
  /** Fetch responses buffered per broker ahead of the handler (fetch pipelining depth). */
  maxBufferedResponses?: number;
  retryBackoffMs?: number;
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/**
 * Told when the group moves partitions (the Java client's ConsumerRebalanceListener). Each
 * callback is awaited before consuming goes on. Eager assignors revoke every partition before each
 * rebalance and assign the whole new set after it; cooperative-sticky revokes and assigns only
 * the partitions that change hands.
 */
export interface RebalanceListener {
  /** Partitions about to be taken away, called while this consumer still owns them (a commit here still counts). */
  onPartitionsRevoked?: (partitions: TopicPartitionRef[]) => Promise<void> | void;
  onPartitionsAssigned?: (partitions: TopicPartitionRef[]) => Promise<void> | void;
  /** Partitions the group already gave away (this member was fenced or expired). Default: onPartitionsRevoked. */
  onPartitionsLost?: (partitions: TopicPartitionRef[]) => Promise<void> | void;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  highWatermark: number;
  records: ConsumedRecord[];
}

export interface ConsumerHandlers {
  eachBatch?: (batch: ConsumedBatch) => Promise<void> | void;
  eachRecord?: (record: ConsumedRecord & { topic: string; partition: number }) => Promise<void> | void;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** next offset to fetch */
  fetchPosition: number;
  /** next offset to hand to the application: what a commit stores */
  consumedPosition: number;
  /** bumped by seek(): responses fetched before it are dropped */
  epoch: number;
  paused: boolean;
}

interface Fetched {
  brokerId: number;
  state: PartitionState;
  epoch: number;
  /** The fetched (non-control) batches, decoded into records only when handed over (see MAX_RECORDS_PER_HANDLER). */
  batches: RecordBatch[];
  /** records before this offset (the fetch position) were delivered already */
  fromOffset: number;
  highWatermark: number;
  nextPosition: number;
}

const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_ERRORS = new Set([ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, 27]); // and REBALANCE_IN_PROGRESS
const COORDINATOR_ERRORS = new Set([14, 15, 16]); // LOAD_IN_PROGRESS, NOT_AVAILABLE, NOT_COORDINATOR
const MEMBER_ID_REQUIRED = 79;
const OFFSET_OUT_OF_RANGE = 1;
const MAX_JOIN_ATTEMPTS = 50;
/**
 * Records per eachBatch call at most. Records are decoded just before their handler runs, so a
 * small hand-over keeps them young-generation garbage: decoding a whole 4 MiB partition response
 * at once kept ~40,000 records alive across scavenges, and GC became the largest cost.
 */
const MAX_RECORDS_PER_HANDLER = 2_000;

/**
 * A consumer on the native protocol: classic group membership (JoinGroup/SyncGroup with range or
 * round-robin assignment, heartbeats, rejoin on rebalance) or manual assignment, and pipelined
 * fetching: each broker's next Fetch is in flight while the application handles the previous
 * response, up to maxBufferedResponses ahead (bounded memory).
 */
export class Consumer {
  private readonly options: Required<Omit<ConsumerOptions, 'groupId' | 'groupInstanceId'>> & { groupId: string | null; groupInstanceId: string | null };
  private topics: string[] = [];
  private readonly partitions = new Map<string, PartitionState>();
  private manual = false;
  private running = false;
  private generation = -1;
  private memberId = '';
  private coordinator: KafkaConnection | null = null;
  private rejoinNeeded = true;
  /** bumped when the assignment changes: fetchers of an older one stop */
  private assignmentEpoch = 0;
  private readonly queue: Fetched[] = [];
  private queueWaiter: (() => void) | null = null;
  private readonly spaceWaiters = new Map<number, () => void>();
  private readonly queuedPerBroker = new Map<number, number>();
  private lastAutoCommit = Date.now();
  private runPromise: Promise<void> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private listener: RebalanceListener = {};
  /** Every offered assignor is cooperative: rejoin while consuming, revoke only what moves. */
  private readonly cooperative: boolean;
  /** A cooperative rejoin running beside consumption. */
  private joining: Promise<void> | null = null;
  /** What a finished cooperative rejoin assigned, applied by the loop between fetch rounds. */
  private joinedAssignment: Assignment | null = null;
  private joinError: unknown = null;
  /** Brokers the current fetch round has a fetch loop for. */
  private fetchingFrom = new Set<number>();
  /** The generation in which this member received the partitions it owns (reported when it rejoins). */
  private ownedGeneration = -1;
  /** The group dropped this member (expired or fenced): what it owns may already be someone else's. */
  private ownershipLost = false;

  constructor(
    private readonly cluster: ClusterClient,
    options: ConsumerOptions = {},
  ) {
    this.options = {
      groupId: options.groupId ?? null,
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 20_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      assignors: options.assignors ?? ['range', 'roundrobin'],
      fromBeginning: options.fromBeginning ?? false,
      autoCommit: options.autoCommit ?? options.groupId !== undefined,
      autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      partitionMaxBytes: options.partitionMaxBytes ?? 4 * 1024 * 1024,
      isolationLevel: options.isolationLevel ?? 0,
      maxBufferedResponses: options.maxBufferedResponses ?? 2,
      retryBackoffMs: options.retryBackoffMs ?? 200,
    };
    if (this.options.assignors.length === 0) throw new RangeError('assignors must name at least one assignor');
    for (const name of this.options.assignors) {
      if (!Object.hasOwn(ASSIGNORS, name)) throw new RangeError(`unknown assignor "${name}"; known: ${Object.keys(ASSIGNORS).join(', ')}`);
    }
    this.cooperative = this.options.assignors.every((name) => COOPERATIVE_ASSIGNORS.has(name));
  }

  /** Joins the group for these topics when run() starts; the listener hears of every partition change. */
  subscribe(topics: string[], listener: RebalanceListener = {}): void {
    if (!this.options.groupId) throw new RangeError('subscribe() needs a groupId; use assign() without one');
    this.topics = [...new Set(topics)];
    this.listener = listener;
  }

  /** Manual assignment (no group membership); offsets default to the committed or reset position. */
  assign(partitions: { topic: string; partition: number; offset?: number }[]): void {
    this.manual = true;
    this.partitions.clear();
    for (const p of partitions) this.partitions.set(key(p.topic, p.partition), newState(p.topic, p.partition, p.offset ?? -1));
    this.assignmentEpoch++;
  }

  assignment(): { topic: string; partition: number }[] {
    return [...this.partitions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** The next offset the application will receive for a partition. */
  position(topic: string, partition: number): number | undefined {
    return this.partitions.get(key(topic, partition))?.consumedPosition;
  }

  seek(topic: string, partition: number, offset: number): void {
    const state = this.partitions.get(key(topic, partition));
    if (!state) throw new RangeError(`${topic}-${partition} is not assigned to this consumer`);
    state.fetchPosition = state.consumedPosition = offset;
    state.epoch++;
  }

  pause(topic: string, partition?: number): void {
    for (const state of this.partitions.values()) if (state.topic === topic && (partition === undefined || state.partition === partition)) state.paused = true;
  }

  resume(topic: string, partition?: number): void {
    for (const state of this.partitions.values()) if (state.topic === topic && (partition === undefined || state.partition === partition)) state.paused = false;
  }

  /** Consumes until stop(); the handler's promise is awaited before the next batch (and before commits count it). */
  run(handlers: ConsumerHandlers): Promise<void> {
    if (this.runPromise) throw new Error('the consumer is already running');
    if (!handlers.eachBatch && !handlers.eachRecord) throw new RangeError('run() needs eachBatch or eachRecord');
    this.running = true;
    this.runPromise = this.loop(handlers).finally(() => {
      this.running = false;
    });
    return this.runPromise;
  }

  /** Stops consuming, commits (with autoCommit) and leaves the group. */
  async stop(): Promise<void> {
    if (!this.running && !this.runPromise) return;
    this.running = false;
    this.assignmentEpoch++;
    this.wakeAll();
    await this.runPromise?.catch(() => undefined);
    this.runPromise = null;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.options.groupId && this.options.autoCommit && !this.ownershipLost) await this.commit().catch(() => undefined);
    if (this.options.groupId && !this.manual && this.memberId) {
      const coordinator = await this.findCoordinator().catch(() => null);
      // v3 moved the member into a list (memberId alone cannot be encoded there): without the
      // leave, the group keeps the member until its session times out
      const leave =
        coordinator && coordinator.versionFor(13) >= 3
          ? { groupId: this.options.groupId, members: [{ memberId: this.memberId, groupInstanceId: this.options.groupInstanceId, reason: 'consumer stopped' }] }
          : { groupId: this.options.groupId, memberId: this.memberId };
      await coordinator?.request(13, leave).catch(() => undefined);
      this.memberId = '';
      this.generation = -1;
    }
    // a cooperative rejoin still waiting for the group ends with the leave (UNKNOWN_MEMBER_ID)
    await this.joining;
  }

  /** Commits `offsets` (default: every partition's consumed position) for the group. */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    const groupId = this.options.groupId;
    if (!groupId) throw new RangeError('commit() needs a groupId');
    const list = offsets ?? [...this.partitions.values()].filter((s) => s.consumedPosition >= 0).map((s) => ({ topic: s.topic, partition: s.partition, offset: s.consumedPosition }));
    if (list.length === 0) return;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string }[]>();
    for (const o of list) {
      const partitions = byTopic.get(o.topic) ?? [];
      partitions.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' });
      byTopic.set(o.topic, partitions);
    }
    const coordinator = await this.findCoordinator();
    const generation = this.generation;
    const member = this.manual ? { generationIdOrMemberEpoch: -1, memberId: '' } : { generationIdOrMemberEpoch: generation, memberId: this.memberId };
    const response = await coordinator.request(8, { groupId, ...member, groupInstanceId: this.manual ? null : this.options.groupInstanceId, retentionTimeMs: -1, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) });
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode === 0) continue;
        if (COORDINATOR_ERRORS.has(p.errorCode)) this.coordinator = null;
        // a join already under way, or one that finished meanwhile, is the rejoin this asks for
        if (REBALANCE_ERRORS.has(p.errorCode) && !this.manual && !this.joining && generation === this.generation) {
          // expired (unknown member) or left behind by the group (illegal generation): what this
          // member holds may be someone else's already, as the Java client assumes
          if (p.errorCode === UNKNOWN_MEMBER_ID) this.forgetMembership();
          if (p.errorCode === ILLEGAL_GENERATION) this.loseOwnership();
          this.rejoinNeeded = true;
          this.wakeAll();
        }
        throw kafkaError(p.errorCode, `commit ${topic.name}-${p.partitionIndex} for group ${groupId}`);
      }
    }
    this.lastAutoCommit = Date.now();
  }

  private async loop(handlers: ConsumerHandlers): Promise<void> {
    while (this.running) {
      if (this.joinError) throw this.joinError;
      // lost partitions are dropped at once, even while a join runs: someone else may own them
      if (!this.manual && this.ownershipLost) await this.losePartitions();
      if (!this.manual && this.rejoinNeeded && !this.joining) {
        if (this.cooperative && this.partitions.size > 0) this.startCooperativeJoin();
        else await this.eagerRebalance();
        if (!this.running) break;
      }
      await this.loadMetadata();
      await this.initPositions();
      const epoch = ++this.assignmentEpoch;
      const brokers = this.cluster.brokerList().map((b) => b.nodeId);
      this.fetchingFrom = new Set(brokers);
      const fetchers = brokers.map((nodeId) => this.fetchLoop(nodeId, epoch));
      try {
        await this.deliver(epoch, handlers);
      } finally {
        this.assignmentEpoch++;
        this.wakeAll();
        await Promise.all(fetchers);
        this.queue.length = 0;
        this.queuedPerBroker.clear();
        // what was fetched but not handed over is dropped: fetch it again from the consumed position
        for (const state of this.partitions.values()) if (state.consumedPosition >= 0) state.fetchPosition = state.consumedPosition;
      }
      if (this.joinedAssignment && this.running) await this.completeCooperativeJoin(this.joinedAssignment);
      else if (this.running && this.options.autoCommit && this.options.groupId && !this.ownershipLost) await this.commit().catch(() => undefined);
    }
    if (this.joinError) throw this.joinError;
  }

  /** Delivery goes on unless the consumer stops, the assignment changes, or a rebalance needs the partitions back. */
  private delivering(epoch: number): boolean {
    if (!this.running || epoch !== this.assignmentEpoch) return false;
    if (this.manual) return true;
    if (this.joinError) return false;
    if (this.ownershipLost) return false;
    if (!this.rejoinNeeded) return true;
    // cooperative: keep consuming while the group rebalances; with nothing owned (all lost), wait
    // here for the join under way rather than start fetch rounds with nothing to fetch
    if (!this.cooperative) return false;
    if (this.partitions.size === 0) return this.joining !== null || this.joinedAssignment !== null;
    // not while the last join's assignment waits to be applied: the subscription would report
    // partitions that assignment takes away, and its revocations would go unannounced
    if (!this.joining && !this.joinedAssignment) this.startCooperativeJoin();
    return true;
  }

  /** Eager protocol: commit (done by the loop), revoke everything, join, then assign the whole new set. */
  private async eagerRebalance(): Promise<void> {
    const owned = this.assignment();
    if (owned.length > 0) await this.listener.onPartitionsRevoked?.(owned);
    const assignment = await this.joinGroup();
    if (!assignment) return;
    this.applyAssignment(assignment);
    await this.listener.onPartitionsAssigned?.(this.assignment());
  }

  private startCooperativeJoin(): void {
    this.joining = this.joinGroup()
      .then(
        (assignment) => {
          this.joinedAssignment = assignment;
        },
        (error: unknown) => {
          this.joinError = error;
        },
      )
      .finally(() => {
        this.joining = null;
        this.wakeAll();
      });
  }

  /**
   * The second half of a cooperative rebalance, between fetch rounds: partitions no longer
   * assigned are revoked (listener, then a commit while they are still ours), new ones assigned;
   * kept partitions keep their positions and were never revoked. Runs inside delivery, so the
   * fetch loops and what they buffered for kept partitions carry on (responses of revoked
   * partitions are dropped); only a new partition led by a broker without a fetch loop starts a
   * new fetch round. Having revoked anything, the member rejoins at once so the follow-up
   * rebalance can hand those partitions on.
   */
  private async completeCooperativeJoin(assignment: Assignment): Promise<void> {
    this.joinedAssignment = null;
    // expired while the join ran: the old partitions are lost, not revoked, and never committed
    if (this.ownershipLost) await this.losePartitions();
    const next = new Set([...assignment].flatMap(([topic, partitions]) => partitions.map((p) => key(topic, p))));
    const revoked = [...this.partitions.values()].filter((s) => !next.has(key(s.topic, s.partition))).map(({ topic, partition }) => ({ topic, partition }));
    const added = [...assignment].flatMap(([topic, partitions]) => partitions.filter((p) => !this.partitions.has(key(topic, p))).map((partition) => ({ topic, partition })));
    if (revoked.length > 0) await this.listener.onPartitionsRevoked?.(revoked);
    if (this.options.autoCommit) await this.commit().catch(() => undefined);
    this.applyAssignment(assignment);
    if (added.length > 0) {
      await this.loadMetadata();
      await this.initPositions();
      const unfetched = added.some(({ topic, partition }) => !this.fetchingFrom.has(this.cluster.cachedTopic(topic)?.partitions[partition]?.leader ?? -1));
      if (unfetched) this.assignmentEpoch++;
      await this.listener.onPartitionsAssigned?.(added);
    }
    if (revoked.length > 0) this.rejoinNeeded = true;
  }

  /** The group dropped this member: its partitions are gone without a commit (someone else may own them). */
  private async losePartitions(): Promise<void> {
    this.ownershipLost = false;
    const owned = this.assignment();
    this.partitions.clear();
    this.ownedGeneration = -1;
    this.assignmentEpoch++;
    if (owned.length === 0) return;
    const lost = this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked;
    await lost?.(owned);
  }

  /** Hands buffered responses to the application until the assignment changes or stop(). */
  private async deliver(epoch: number, handlers: ConsumerHandlers): Promise<void> {
    while (this.delivering(epoch)) {
      if (this.joinedAssignment) {
        await this.completeCooperativeJoin(this.joinedAssignment);
        continue;
      }
      const item = this.queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          this.queueWaiter = resolve;
          setTimeout(resolve, 200); // re-check the rejoin flag even when idle
        });
        this.queueWaiter = null;
      } else {
        this.queuedPerBroker.set(item.brokerId, (this.queuedPerBroker.get(item.brokerId) ?? 1) - 1);
        this.spaceWaiters.get(item.brokerId)?.();
        if (item.epoch !== item.state.epoch || this.partitions.get(key(item.state.topic, item.state.partition)) !== item.state) continue; // seeked or revoked since
        await this.handOver(item, epoch, handlers);
      }
      // idle too: the last records handed over get committed without waiting for more to arrive
      if (this.options.autoCommit && this.options.groupId && !this.ownershipLost && Date.now() - this.lastAutoCommit >= this.options.autoCommitIntervalMs) {
        await this.commit().catch(() => undefined);
      }
    }
  }

  /**
   * Decodes a fetched response's records and hands them over at most MAX_RECORDS_PER_HANDLER at
   * a time; the consumed position follows each handler. Stops between handlers when the consumer
   * stops, rebalances or seeks (the rest is fetched again from the consumed position).
   */
  private async handOver(item: Fetched, epoch: number, handlers: ConsumerHandlers): Promise<void> {
    const { state } = item;
    const fetched = new FetchedRecords(item.batches, item.fromOffset);
    for (let records = fetched.take(MAX_RECORDS_PER_HANDLER); records.length > 0; records = fetched.take(MAX_RECORDS_PER_HANDLER)) {
      if (handlers.eachBatch) await handlers.eachBatch({ topic: state.topic, partition: state.partition, highWatermark: item.highWatermark, records });
      else for (const record of records) await handlers.eachRecord!({ ...record, topic: state.topic, partition: state.partition });
      if (item.epoch === state.epoch) state.consumedPosition = records[records.length - 1].offset + 1;
      const current = this.delivering(epoch) && item.epoch === state.epoch;
      if (!current || this.partitions.get(key(state.topic, state.partition)) !== state) return;
    }
    // past trailing control batches too
    if (item.epoch === state.epoch) state.consumedPosition = item.nextPosition;
  }

  /** One broker's fetch loop: a Fetch for the partitions it leads, the next sent as soon as the previous is buffered. */
  private async fetchLoop(brokerId: number, epoch: number): Promise<void> {
    while (this.running && epoch === this.assignmentEpoch) {
      if ((this.queuedPerBroker.get(brokerId) ?? 0) >= this.options.maxBufferedResponses) {
        await new Promise<void>((resolve) => {
          this.spaceWaiters.set(brokerId, resolve);
          setTimeout(resolve, 100);
        });
        continue;
      }
      const mine = this.ledBy(brokerId);
      if (mine.length === 0) {
        await sleep(100);
        continue;
      }
      try {
        await this.fetchOnce(brokerId, mine, epoch);
      } catch (error) {
        if (!this.running || epoch !== this.assignmentEpoch) return;
        this.cluster.dropConnection(brokerId);
        await this.cluster.refresh().catch(() => undefined);
        await sleep(this.options.retryBackoffMs);
        void error;
      }
    }
  }

  private ledBy(brokerId: number): PartitionState[] {
    const out: PartitionState[] = [];
    for (const state of this.partitions.values()) {
      if (state.paused || state.fetchPosition < 0) continue;
      const leader = this.cluster.cachedTopic(state.topic)?.partitions[state.partition]?.leader;
      if (leader === brokerId) out.push(state);
    }
    return out;
  }

  private async fetchOnce(brokerId: number, states: PartitionState[], epoch: number): Promise<void> {
    const connection = await this.cluster.connection(brokerId);
    const byTopic = new Map<string, PartitionState[]>();
    for (const s of states) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
    const epochs = new Map(states.map((s) => [s, s.epoch]));
    const response = await connection.request(1, {
      replicaId: -1,
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.maxBytes,
      isolationLevel: this.options.isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, list]) => ({
        topic,
        topicId: this.cluster.cachedTopic(topic)?.topicId,
        partitions: list.map((s) => ({ partition: s.partition, fetchOffset: s.fetchPosition, partitionMaxBytes: this.options.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    if (epoch !== this.assignmentEpoch) return;
    const nameById = new Map([...byTopic.keys()].map((t) => [this.cluster.cachedTopic(t)?.topicId, t]));
    for (const topicResponse of response.responses) {
      const topic = topicResponse.topic || nameById.get(topicResponse.topicId) || '';
      for (const p of topicResponse.partitions) {
        const state = this.partitions.get(key(topic, p.partitionIndex));
        if (!state || epochs.get(state) !== state.epoch) continue;
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          state.fetchPosition = -1;
          void this.initPositions();
          continue;
        }
        if (p.errorCode !== 0) {
          if (isStaleMetadataError(p.errorCode)) {
            this.cluster.invalidate(topic);
            await this.cluster.topic(topic).catch(() => undefined);
          }
          continue;
        }
        const batches: RecordBatch[] = [];
        const fromOffset = state.fetchPosition;
        let next = fromOffset;
        // read_committed: batches of aborted transactions are dropped, like control batches
        const committed = this.options.isolationLevel === 1 ? new AbortedTransactionFilter(p.abortedTransactions) : null;
        for (const batch of readRecordBatches(p.records ?? Buffer.alloc(0))) {
          const last = batch.lastOffset;
          if (last < next) continue;
          if (committed ? committed.accepts(batch) : !batch.isControl) batches.push(batch);
          next = last + 1;
        }
        if (next === fromOffset) continue;
        state.fetchPosition = next;
        this.queue.push({ brokerId, state, epoch: state.epoch, batches, fromOffset, highWatermark: Number(p.highWatermark), nextPosition: next });
        this.queuedPerBroker.set(brokerId, (this.queuedPerBroker.get(brokerId) ?? 0) + 1);
        this.queueWaiter?.();
      }
    }
  }

  /** Leaders of the assigned partitions and the broker list, which the fetch loops are built from. */
  private async loadMetadata(): Promise<void> {
    if (this.cluster.brokerList().length === 0) await this.cluster.connect();
    for (const topic of new Set([...this.partitions.values()].map((s) => s.topic))) await this.cluster.topic(topic).catch(() => undefined);
  }

  /** Sets fetch positions of partitions that have none: committed offset, else the reset policy. */
  private async initPositions(): Promise<void> {
    const missing = [...this.partitions.values()].filter((s) => s.fetchPosition < 0);
    if (missing.length === 0) return;
    for (const topic of new Set(missing.map((s) => s.topic))) await this.cluster.topic(topic);
    const committed = this.options.groupId ? await this.fetchCommitted(missing) : new Map<string, number>();
    const toReset: PartitionState[] = [];
    for (const s of missing) {
      const offset = committed.get(key(s.topic, s.partition)) ?? -1;
      if (offset >= 0) s.fetchPosition = s.consumedPosition = offset;
      else toReset.push(s);
    }
    const byLeader = new Map<number, PartitionState[]>();
    for (const s of toReset) {
      const leader = this.cluster.cachedTopic(s.topic)?.partitions[s.partition]?.leader ?? -1;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), s]);
    }
    for (const [leader, states] of byLeader) {
      if (leader < 0) continue; // retried on the next loop
      const connection = await this.cluster.connection(leader);
      const byTopic = new Map<string, PartitionState[]>();
      for (const s of states) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
      const response = await connection.request(2, {
        replicaId: -1,
        isolationLevel: this.options.isolationLevel,
        topics: [...byTopic].map(([name, list]) => ({ name, partitions: list.map((s) => ({ partitionIndex: s.partition, currentLeaderEpoch: -1, timestamp: this.options.fromBeginning ? -2 : -1 })) })),
      });
      for (const topic of response.topics) {
        for (const p of topic.partitions) {
          const state = this.partitions.get(key(topic.name, p.partitionIndex));
          if (state && p.errorCode === 0) state.fetchPosition = state.consumedPosition = Number(p.offset);
        }
      }
    }
  }

  private async fetchCommitted(states: PartitionState[]): Promise<Map<string, number>> {
    const groupId = this.options.groupId!;
    const byTopic = new Map<string, number[]>();
    for (const s of states) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    const topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const coordinator = await this.findCoordinator();
    const found =
      coordinator.versionFor(9) >= 8
        ? ((await coordinator.request(9, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable: true })).groups[0]?.topics ?? [])
        : (await coordinator.request(9, { groupId, topics, requireStable: true })).topics;
    const out = new Map<string, number>();
    for (const topic of found) for (const p of topic.partitions) if (p.errorCode === 0) out.set(key(topic.name, p.partitionIndex), Number(p.committedOffset));
    return out;
  }

  private async findCoordinator(): Promise<KafkaConnection> {
    if (this.coordinator?.connected) return this.coordinator;
    const groupId = this.options.groupId!;
    for (let attempt = 0; ; attempt++) {
      const connection = await this.cluster.anyConnection();
      const found =
        connection.versionFor(10) >= 4
          ? (await connection.request(10, { keyType: 0, coordinatorKeys: [groupId] })).coordinators.find((c) => c.key === groupId)
          : await connection.request(10, { key: groupId, keyType: 0 });
      if (!found) throw kafkaError(15, `find coordinator of group ${groupId}`, 'the broker did not answer for the group');
      if (found.errorCode === 0) {
        if (!this.cluster.brokerList().some((b) => b.nodeId === found.nodeId)) await this.cluster.refresh();
        this.coordinator = await this.cluster.connection(found.nodeId);
        return this.coordinator;
      }
      const error = kafkaError(found.errorCode, `find coordinator of group ${groupId}`, found.errorMessage);
      if (!error.retriable || attempt >= 20) throw error;
      await sleep(this.options.retryBackoffMs);
    }
  }

  /** JoinGroup + SyncGroup until this member has an assignment for the current generation; null once stopped. */
  private async joinGroup(): Promise<Assignment | null> {
    const groupId = this.options.groupId!;
    if (this.topics.length === 0) throw new RangeError('subscribe() to at least one topic before run()');
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    for (let attempt = 0; this.running; attempt++) {
      if (attempt >= MAX_JOIN_ATTEMPTS) throw new Error(`could not join group ${groupId} after ${attempt} attempts`);
      const coordinator = await this.findCoordinator();
      const join = await coordinator.request(11, {
        groupId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.options.groupInstanceId,
        protocolType: 'consumer',
        protocols: this.options.assignors.map((name) => ({ name, metadata: this.subscriptionMetadata() })),
        reason: null,
      });
      if (join.errorCode === MEMBER_ID_REQUIRED) {
        this.memberId = join.memberId;
        continue;
      }
      if (join.errorCode !== 0) {
        if (join.errorCode === UNKNOWN_MEMBER_ID) this.forgetMembership();
        if (COORDINATOR_ERRORS.has(join.errorCode)) this.coordinator = null;
        const error = kafkaError(join.errorCode, `join group ${groupId}`);
        if (!REBALANCE_ERRORS.has(join.errorCode) && !COORDINATOR_ERRORS.has(join.errorCode) && !error.retriable) throw error;
        await sleep(this.options.retryBackoffMs);
        continue;
      }
      this.memberId = join.memberId;
      this.generation = join.generationId;
      let assignments: { memberId: string; assignment: Buffer }[] = [];
      if (join.leader === join.memberId) {
        const members = join.members.map((m) => {
          const { topics, ownedPartitions, generationId } = decodeSubscription(m.metadata);
          return { memberId: m.memberId, topics, ownedPartitions, generationId };
        });
        assignments = await this.computeAssignments(join.protocolName ?? 'range', members);
      }
      const sync = await coordinator.request(14, { groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId, protocolType: 'consumer', protocolName: join.protocolName, assignments });
      if (sync.errorCode !== 0) {
        if (sync.errorCode === UNKNOWN_MEMBER_ID) this.forgetMembership();
        if (COORDINATOR_ERRORS.has(sync.errorCode)) this.coordinator = null;
        await sleep(this.options.retryBackoffMs);
        continue;
      }
      this.rejoinNeeded = false;
      this.scheduleHeartbeat();
      return decodeAssignment(sync.assignment);
    }
    return null;
  }

  /** The subscription with what this member owns and since which generation (ConsumerProtocolSubscription v2). */
  private subscriptionMetadata(): Buffer {
    const owned: Assignment = new Map();
    if (!this.ownershipLost) for (const { topic, partition } of this.partitions.values()) owned.set(topic, [...(owned.get(topic) ?? []), partition]);
    return encodeSubscription(this.topics, { ownedPartitions: owned, generationId: this.ownershipLost ? -1 : this.ownedGeneration });
  }

  /** The group no longer knows this member: a fresh id, and owned partitions count as lost. */
  private forgetMembership(): void {
    this.memberId = '';
    this.loseOwnership();
  }

  /**
   * The group moved on without this member: what it owns may be someone else's already, and an
   * assignment it received but has not applied yet is of a generation the group left behind
   * (applying it would consume partitions another member owns). The loop drops both.
   */
  private loseOwnership(): void {
    if (this.partitions.size > 0) this.ownershipLost = true;
    this.joinedAssignment = null;
  }

  private async computeAssignments(protocol: string, members: MemberSubscription[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = Object.hasOwn(ASSIGNORS, protocol) ? ASSIGNORS[protocol as AssignorName] : undefined;
    if (!assignor) throw new Error(`group leader cannot run unknown assignor "${protocol}"`);
    const counts = new Map<string, number>();
    for (const topic of new Set(members.flatMap((m) => m.topics))) {
      const info = await this.cluster.topic(topic).catch(() => null);
      if (info) counts.set(topic, info.partitions.length);
    }
    return [...assignor(members, counts)].map(([memberId, assignment]) => ({ memberId, assignment: encodeAssignment(assignment) }));
  }

  private applyAssignment(assignment: Assignment): void {
    this.ownedGeneration = this.generation;
    const previous = new Map(this.partitions);
    this.partitions.clear();
    // partitions kept across the rebalance keep their state (positions); new ones load the committed offset
    for (const [topic, partitions] of assignment) {
      for (const partition of partitions) {
        const k = key(topic, partition);
        this.partitions.set(k, previous.get(k) ?? newState(topic, partition, -1));
      }
    }
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  private async heartbeat(): Promise<void> {
    if (!this.running || this.rejoinNeeded || this.manual) return;
    try {
      const coordinator = await this.findCoordinator();
      const generation = this.generation;
      const response = await coordinator.request(12, { groupId: this.options.groupId!, generationId: generation, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId });
      if (generation !== this.generation || this.joining) return; // answered for a generation this member has left behind
      if (REBALANCE_ERRORS.has(response.errorCode)) {
        if (response.errorCode === UNKNOWN_MEMBER_ID) this.forgetMembership();
        // fenced from the generation (expired or out of date): the partitions may be reassigned already
        if (response.errorCode === ILLEGAL_GENERATION) this.loseOwnership();
        this.rejoinNeeded = true;
        this.wakeAll();
        return;
      }
      if (COORDINATOR_ERRORS.has(response.errorCode)) this.coordinator = null;
    } catch (error) {
      if (!(error instanceof KafkaProtocolError)) this.coordinator = null;
    }
    this.scheduleHeartbeat();
  }

  private wakeAll(): void {
    this.queueWaiter?.();
    for (const wake of this.spaceWaiters.values()) wake();
    this.spaceWaiters.clear();
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function newState(topic: string, partition: number, offset: number): PartitionState {
  return { topic, partition, fetchPosition: offset, consumedPosition: offset, epoch: 0, paused: false };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
