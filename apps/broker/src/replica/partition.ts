import { AppendInfo, BATCH, InvalidBatchError, OffsetOutOfRangeError, PartitionLog } from '@tributary/log-engine';
import { KafkaError } from './kafka-errors';
import { ProducerStateManager, producerBatchesOf } from './producer-state';
import { ATTR_CONTROL, AbortedTransaction } from './transaction-index';

export interface Clock {
  nowMs(): number;
}

/** Where a leader sends ISR changes (the controller's AlterPartition, through the broker's RPC). */
export interface IsrChangeSink {
  proposeIsr(partition: Partition, proposedIsr: number[]): void;
}

export interface LeaderAndIsr {
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
}

interface FollowerState {
  logEndOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

/** How far a read may go: the last stable offset (read_committed), the high watermark, or the log end (followers). */
export type Isolation = 'committed' | 'high-watermark' | 'log-end';

/** Who writes: clients may not write control batches; the transaction coordinator writes only those. */
export type AppendOrigin = 'client' | 'coordinator';

/** A leader append's outcome; `duplicate` when an idempotent retry was answered from the cache. */
export interface LeaderAppendResult extends AppendInfo {
  duplicate: boolean;
}

/**
 * One partition replica on this broker, in the leader or follower role: the log, the high
 * watermark, and (as leader) the followers' fetch positions that move the high watermark and the
 * ISR. Pure logic over a PartitionLog; no timers and no sockets.
 */
export class Partition {
  private state: LeaderAndIsr | null = null;
  private hw = 0;
  private readonly followers = new Map<number, FollowerState>();
  /** While an ISR change waits for the controller, HW counts the larger of both sets (Kafka's maximal ISR). */
  private pendingIsr: number[] | null = null;
  readonly producers: ProducerStateManager;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: PartitionLog,
    readonly localBrokerId: number,
    private readonly clock: Clock,
    private readonly isrSink: IsrChangeSink,
    private settings: { minInsyncReplicas: number; replicaLagTimeMaxMs: number },
  ) {
    this.producers = ProducerStateManager.load(log);
    // Conservative until the ISR reports in: a new leader of a single-replica ISR moves it to the end at once.
    this.hw = log.logStartOffset;
  }

  /** min.insync.replicas of the topic (it can change with the topic config). */
  setMinInsyncReplicas(value: number): void {
    this.settings = { ...this.settings, minInsyncReplicas: value };
  }

  get isLeader(): boolean {
    return this.state?.leaderId === this.localBrokerId;
  }

  get leaderAndIsr(): LeaderAndIsr | null {
    return this.state;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  /** Where read_committed consumers stop: the first offset of the oldest open transaction, at most the HW. */
  get lastStableOffset(): number {
    const firstUnstable = this.producers.transactions.firstUnstableOffset;
    return firstUnstable === null ? this.hw : Math.min(firstUnstable, this.hw);
  }

  get isr(): readonly number[] {
    return this.state?.isr ?? [];
  }

  /** Becomes (or stays) leader for `state`. Followers start unknown and must fetch to count. */
  makeLeader(state: LeaderAndIsr): void {
    const newEpoch = this.state?.leaderEpoch !== state.leaderEpoch || !this.isLeader;
    this.state = state;
    this.pendingIsr = null;
    if (newEpoch) {
      this.followers.clear();
      const nowMs = this.clock.nowMs();
      for (const id of state.replicas) {
        if (id === this.localBrokerId) continue;
        const inIsr = state.isr.includes(id);
        this.followers.set(id, { logEndOffset: -1, lastCaughtUpTimeMs: inIsr ? nowMs : 0, lastFetchLeaderLogEndOffset: -1, lastFetchTimeMs: 0 });
      }
    }
    this.maybeAdvanceHighWatermark();
  }

  /** Becomes a follower of `state.leaderId`; the replica fetcher takes it from here. */
  makeFollower(state: LeaderAndIsr): void {
    this.state = state;
    this.followers.clear();
    this.pendingIsr = null;
    this.hw = Math.min(this.hw, this.log.logEndOffset);
  }

  /**
   * Appends a producer's batches as leader. acks=-1 (all) requires min.insync.replicas in the ISR
   * before anything is written.
   */
  appendAsLeader(records: Buffer, requiredAcks: number, origin: AppendOrigin = 'client'): LeaderAppendResult {
    const state = this.requireLeader();
    if (requiredAcks === -1 && state.isr.length < this.settings.minInsyncReplicas) {
      throw new KafkaError('NOT_ENOUGH_REPLICAS', `ISR ${state.isr.length} is below min.insync.replicas ${this.settings.minInsyncReplicas}`);
    }
    const batches = producerBatchesOf(records);
    for (const batch of batches) {
      if ((batch.marker !== null) !== (origin === 'coordinator')) {
        throw new KafkaError('INVALID_RECORD', origin === 'client' ? 'clients may not write control batches' : 'the coordinator writes only control batches');
      }
      if (batch.transactional && batch.producerId < 0) throw new KafkaError('INVALID_RECORD', 'a transactional batch needs a producer id');
    }
    const duplicate = this.producers.checkAppend(batches);
    if (duplicate) {
      return { ...duplicate, maxTimestamp: -1, logAppendTimeMs: -1, batchCount: batches.length, bytes: 0, duplicate: true };
    }
    let info: AppendInfo;
    try {
      info = this.log.appendAsLeader(records, state.leaderEpoch);
    } catch (error) {
      throw toKafkaError(error);
    }
    let offset = info.firstOffset;
    for (const batch of batches) {
      this.producers.onBatchWritten(batch, offset);
      offset += batch.recordCount;
    }
    this.maybeAdvanceHighWatermark();
    return { ...info, duplicate: false };
  }

  /**
   * For an acks=all produce waiting on `requiredOffset` (last offset + 1): done once the HW
   * passes it; an error if the ISR shrank below min.insync.replicas meanwhile.
   */
  checkEnoughReplicasReach(requiredOffset: number): { done: boolean; error?: KafkaError } {
    if (!this.isLeader) return { done: true, error: new KafkaError('NOT_LEADER_OR_FOLLOWER', 'leadership moved while waiting for replicas') };
    if (this.hw >= requiredOffset) {
      if (this.isr.length < this.settings.minInsyncReplicas) {
        return { done: true, error: new KafkaError('NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'written, but the ISR shrank below min.insync.replicas') };
      }
      return { done: true };
    }
    return { done: false };
  }

  /**
   * Reads for a consumer (up to the HW) or a follower (up to the log end). A follower's fetch
   * also reports its position: that moves the HW and may expand the ISR.
   */
  read(
    fetchOffset: number,
    maxBytes: number,
    isolation: Isolation,
    replicaId = -1,
  ): { records: Buffer; highWatermark: number; lastStableOffset: number; logStartOffset: number; logEndOffset: number; abortedTransactions: AbortedTransaction[] | null } {
    if (!this.isLeader) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `broker ${this.localBrokerId} does not lead ${this.topic}-${this.index}`);
    if (replicaId >= 0) this.updateFollowerFetchState(replicaId, fetchOffset);
    const lastStableOffset = this.lastStableOffset;
    const upTo = isolation === 'committed' ? lastStableOffset : isolation === 'high-watermark' ? this.hw : this.log.logEndOffset;
    try {
      const result = this.log.read(fetchOffset, maxBytes, upTo);
      const abortedTransactions = isolation === 'committed' ? this.abortedWithin(fetchOffset, result.records) : null;
      return { records: result.records, highWatermark: this.hw, lastStableOffset, logStartOffset: result.logStartOffset, logEndOffset: result.logEndOffset, abortedTransactions };
    } catch (error) {
      throw toKafkaError(error);
    }
  }

  /**
   * The aborted transactions that may hide records of `records` (read from `fetchOffset`): only
   * those begun before the end of what is returned, so a consumer far behind gets a bounded list.
   * The end is found by walking the returned batch headers, and only when some abort lies ahead.
   */
  private abortedWithin(fetchOffset: number, records: Buffer): AbortedTransaction[] {
    const transactions = this.producers.transactions;
    if (records.length === 0 || !transactions.hasAbortedFrom(fetchOffset)) return [];
    let end = fetchOffset;
    // compacted logs lose markers to the cleaner: note the ones read, so the index forgets the lost ones
    const markersRead = this.log.config.cleanupPolicy.includes('compact') ? new Set<number>() : undefined;
    for (let pos = 0; pos + BATCH.HEADER_SIZE <= records.length; ) {
      const baseOffset = Number(records.readBigInt64BE(pos + BATCH.BASE_OFFSET));
      end = baseOffset + records.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1;
      if (markersRead !== undefined && (records.readInt16BE(pos + BATCH.ATTRIBUTES) & ATTR_CONTROL) !== 0 && records.readInt32BE(pos + BATCH.RECORDS_COUNT) > 0) markersRead.add(baseOffset);
      const size = records.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
      if (size < BATCH.HEADER_SIZE) break; // never from the log (it validates batches); no endless loop either
      pos += size;
    }
    return transactions.abortedBetween(fetchOffset, end, markersRead);
  }

  /** Follower side: appends what the leader sent and adopts the leader's HW (bounded by our end). */
  appendAsFollower(records: Buffer, leaderHighWatermark: number): AppendInfo | null {
    let info: AppendInfo | null = null;
    if (records.length > 0) {
      try {
        info = this.log.appendAsFollower(records);
      } catch (error) {
        throw toKafkaError(error);
      }
      for (const batch of producerBatchesOf(records)) this.producers.onBatchWritten(batch, batch.baseOffset);
    }
    this.hw = Math.max(this.hw, Math.min(leaderHighWatermark, this.log.logEndOffset));
    return info;
  }

  /** Follower: cuts the log back (divergence from the leader); the HW never stays above the end. */
  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
    this.hw = Math.min(this.hw, this.log.logEndOffset);
    this.producers.reload(this.log);
  }

  /** Follower behind the leader's log start: restart the log empty at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.hw = offset;
    this.producers.reload(this.log);
  }

  /**
   * Leader: the followers in the ISR that have not caught up within replica.lag.time.max.ms.
   * Proposes the shrink to the controller; returns the proposal (or null when nothing lags).
   */
  maybeShrinkIsr(): number[] | null {
    const state = this.state;
    if (!this.isLeader || state === null || this.pendingIsr !== null) return null;
    const nowMs = this.clock.nowMs();
    const lagging = state.isr.filter((id) => {
      if (id === this.localBrokerId) return false;
      const follower = this.followers.get(id);
      return follower === undefined || nowMs - follower.lastCaughtUpTimeMs > this.settings.replicaLagTimeMaxMs;
    });
    if (lagging.length === 0) return null;
    const proposed = state.isr.filter((id) => !lagging.includes(id));
    this.pendingIsr = proposed;
    this.isrSink.proposeIsr(this, proposed);
    return proposed;
  }

  /** The controller accepted (or rejected) an ISR change: adopt its view. */
  onIsrCommitted(state: LeaderAndIsr): void {
    this.pendingIsr = null;
    if (state.leaderId !== this.localBrokerId) {
      this.makeFollower(state);
      return;
    }
    this.state = state;
    this.maybeAdvanceHighWatermark();
  }

  onIsrRejected(): void {
    this.pendingIsr = null;
  }

  private updateFollowerFetchState(replicaId: number, fetchOffset: number): void {
    const state = this.requireLeader();
    const follower = this.followers.get(replicaId);
    if (follower === undefined) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `broker ${replicaId} is not a replica of ${this.topic}-${this.index}`);
    const nowMs = this.clock.nowMs();
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) follower.lastCaughtUpTimeMs = Math.max(follower.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= follower.lastFetchLeaderLogEndOffset) follower.lastCaughtUpTimeMs = Math.max(follower.lastCaughtUpTimeMs, follower.lastFetchTimeMs);
    follower.logEndOffset = fetchOffset;
    follower.lastFetchLeaderLogEndOffset = leaderEnd;
    follower.lastFetchTimeMs = nowMs;
    // ISR expansion: a caught-up follower (at or past the HW) rejoins
    if (!state.isr.includes(replicaId) && this.pendingIsr === null && fetchOffset >= this.hw) {
      const proposed = [...state.isr, replicaId].sort((a, b) => a - b);
      this.pendingIsr = proposed;
      this.isrSink.proposeIsr(this, proposed);
    }
    this.maybeAdvanceHighWatermark();
  }

  /** HW = the smallest log end offset over the ISR (the maximal ISR while a change is pending). */
  private maybeAdvanceHighWatermark(): boolean {
    const state = this.state;
    if (state === null || !this.isLeader) return false;
    const counted = new Set(state.isr);
    for (const id of this.pendingIsr ?? []) counted.add(id);
    let minEnd = this.log.logEndOffset;
    for (const id of counted) {
      if (id === this.localBrokerId) continue;
      const follower = this.followers.get(id);
      minEnd = Math.min(minEnd, follower?.logEndOffset ?? -1);
    }
    if (minEnd > this.hw) {
      this.hw = minEnd;
      return true;
    }
    return false;
  }

  private requireLeader(): LeaderAndIsr {
    if (!this.isLeader || this.state === null) {
      throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `broker ${this.localBrokerId} does not lead ${this.topic}-${this.index}`);
    }
    return this.state;
  }
}

/** Maps log-engine errors to Kafka error codes; anything else is a storage error. */
export function toKafkaError(error: unknown): KafkaError {
  if (error instanceof KafkaError) return error;
  if (error instanceof OffsetOutOfRangeError) return new KafkaError('OFFSET_OUT_OF_RANGE', error.message);
  if (error instanceof InvalidBatchError) {
    if (error.reason === 'too-large') return new KafkaError('MESSAGE_TOO_LARGE', error.message);
    if (error.reason === 'corrupt-crc' || error.reason === 'truncated' || error.reason === 'invalid-length' || error.reason === 'bad-magic') {
      return new KafkaError('CORRUPT_MESSAGE', error.message);
    }
    return new KafkaError('INVALID_RECORD', error.message);
  }
  return new KafkaError('KAFKA_STORAGE_ERROR', error instanceof Error ? error.message : String(error));
}
