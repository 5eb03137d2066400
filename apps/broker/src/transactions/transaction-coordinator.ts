import { encodeBatch } from '@tributary/log-engine';
import { KafkaErrorName, MetadataImage, NO_LEADER } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';
import { OFFSETS_TOPIC } from '../groups/group-coordinator';
import { MalformedRecordError, groupPartition } from '../groups/offset-records';
import { ErrorCode } from '../replica/kafka-errors';
import { ReplicaManager } from '../replica/replica-manager';
import { storedBatches } from '../replica/stored-batches';
import { decodeTransactionKey, decodeTransactionValue, encodeTransactionKey, encodeTransactionValue } from './transaction-log-records';
import {
  TXN_STATE_NAMES,
  TransactionMetadata,
  TxnPartition,
  TxnState,
  addPartitions,
  complete,
  decideInit,
  endTransaction,
  fence,
  hasExpired,
  isPrepare,
  newTransaction,
} from './transaction-metadata';
import { CoordinatorFencedError, TxnMarker } from './txn-markers';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

export interface TransactionCoordinatorSettings {
  /** transaction.state.log.num.partitions */
  stateTopicPartitions: number;
  /** transaction.state.log.replication.factor (capped by the live brokers at creation) */
  stateTopicReplicationFactor: number;
  /** transaction.max.timeout.ms: larger transaction.timeout.ms values are refused */
  maxTimeoutMs: number;
  /** How often open transactions are checked for their timeout and unfinished ones resumed. */
  sweepIntervalMs: number;
  /** transactional.id.expiration.ms: an id idle (no open transaction) this long is forgotten (tombstone). */
  idExpirationMs: number;
}

export const DEFAULT_TRANSACTION_SETTINGS: TransactionCoordinatorSettings = {
  stateTopicPartitions: 50,
  stateTopicReplicationFactor: 3,
  maxTimeoutMs: 900_000,
  sweepIntervalMs: 1_000,
  idExpirationMs: 7 * 24 * 3600 * 1000,
};

const MAX_TRANSACTIONAL_ID_BYTES = 0x7fff;
/** Transactional ids one coordinator keeps in memory; beyond it new ids are refused. */
const MAX_TRANSACTIONAL_IDS = 100_000;
/** Transactions one sweep aborts or resumes at most; the rest wait for the next sweep. */
const MAX_SWEEP_ACTIONS = 100;
/** Marker rounds before an EndTxn answers with the decision stored and leaves the rest to the sweep. */
const MARKER_ATTEMPTS = 5;
const MARKER_BACKOFF_MS = 100;
const STATE_WRITE_TIMEOUT_MS = 5_000;

/** The outcome of a coordinator call: NONE or a Kafka error name the handler turns into a code. */
export type TxnResult = KafkaErrorName;

/**
 * Where markers go (TxnMarkerChannel in the broker); answers the partitions still to do, or
 * throws CoordinatorFencedError when a newer coordinator owns the transaction.
 */
export interface MarkerSink {
  write(marker: TxnMarker, partitions: TxnPartition[]): Promise<TxnPartition[]>;
}

/**
 * Kafka's transaction coordinator. A transactional id belongs to the leader of its
 * __transaction_state partition (the group hash rule), and every state change of its
 * transaction is a record in that compacted partition, written with acks=all before the change
 * is answered or acted on. Ending a transaction stores the decision (PrepareCommit/Abort), writes
 * COMMIT/ABORT markers to every partition of it, then stores CompleteCommit/Abort.
 * Simplification: EndTxn is answered after Complete* (Kafka answers after Prepare*), unless the
 * markers keep failing, in which case the stored decision is answered and the sweep finishes it.
 * A broker that becomes the partition's leader replays it and resumes what was in flight; open
 * transactions older than their timeout are aborted and their producer fenced (epoch bump).
 */
export class TransactionCoordinator {
  private readonly transactions = new Map<string, TransactionMetadata>();
  /** __transaction_state partition -> leader epoch it was loaded at */
  private readonly loaded = new Map<number, number>();
  /** Ids with a state write or markers in flight: other requests for them get CONCURRENT_TRANSACTIONS. */
  private readonly busy = new Set<string>();
  private creatingTopic: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly settings: TransactionCoordinatorSettings;

  constructor(
    private readonly ctx: { brokerId: number; metadata(): MetadataImage; replicas: ReplicaManager; controller: ControllerChannel },
    private readonly producerIds: { next(): Promise<number> },
    private readonly markers: MarkerSink,
    settings: Partial<TransactionCoordinatorSettings> = {},
    private readonly clock: { nowMs(): number } = { nowMs: () => Date.now() },
    private readonly offsetsTopicPartitions: () => number = () => 50,
  ) {
    this.settings = { ...DEFAULT_TRANSACTION_SETTINGS, ...settings };
  }

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.settings.sweepIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** FindCoordinator (key type 1): the leader of the id's __transaction_state partition, creating the topic on first use. */
  async findCoordinator(transactionalId: string): Promise<{ errorCode: number; errorMessage: string | null; nodeId: number }> {
    const image = this.ctx.metadata();
    const topic = image.topicByName(TRANSACTION_STATE_TOPIC);
    if (!topic) {
      await this.createStateTopic(image);
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'the transaction state topic is being created', nodeId: -1 };
    }
    const partition = topic.partitions.get(groupPartition(transactionalId, topic.partitions.size));
    if (!partition || partition.leader === NO_LEADER) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'the transaction state partition has no leader', nodeId: -1 };
    return { errorCode: 0, errorMessage: null, nodeId: partition.leader };
  }

  /** InitProducerId with a transactional id: the producer id and epoch the producer must use from now on. */
  async initProducerId(transactionalId: string, timeoutMs: number, resuming?: { producerId: number; producerEpoch: number }): Promise<{ error: TxnResult; producerId: number; producerEpoch: number }> {
    const refused = (error: TxnResult) => ({ error, producerId: -1, producerEpoch: -1 });
    // the id is the key of its state record: an int16-length string
    if (transactionalId === '' || Buffer.byteLength(transactionalId) > MAX_TRANSACTIONAL_ID_BYTES) return refused('INVALID_REQUEST');
    if (timeoutMs <= 0 || timeoutMs > this.settings.maxTimeoutMs) return refused('INVALID_TRANSACTION_TIMEOUT');
    const owner = this.ownership(transactionalId);
    if (owner !== 'NONE') return refused(owner);
    if (this.busy.has(transactionalId)) return refused('CONCURRENT_TRANSACTIONS');
    this.busy.add(transactionalId);
    try {
      for (let round = 0; round < 2; round++) {
        const current = this.transactions.get(transactionalId);
        // the resumed identity is checked once: after an abort of its open transaction the epoch has moved
        const decision = decideInit(current, timeoutMs, this.clock.nowMs(), round === 0 ? resuming : undefined);
        if ('error' in decision) return refused(decision.error);
        if (decision.kind === 'abort-ongoing') {
          // the previous producer's open transaction is aborted first, with its epoch fenced
          const stored = await this.persist(decision.prepare);
          if (stored !== 'NONE') return refused(stored);
          if (!(await this.finish(decision.prepare))) return refused('CONCURRENT_TRANSACTIONS');
          continue; // now Complete: the next round bumps the epoch for the new producer
        }
        if (!current && this.transactions.size >= MAX_TRANSACTIONAL_IDS) return refused('COORDINATOR_NOT_AVAILABLE');
        const next = decision.kind === 'bump' ? decision.next : newTransaction(transactionalId, await this.producerIds.next(), timeoutMs, this.clock.nowMs());
        const stored = await this.persist(next);
        if (stored !== 'NONE') return refused(stored);
        return { error: 'NONE', producerId: next.producerId, producerEpoch: next.producerEpoch };
      }
      return refused('CONCURRENT_TRANSACTIONS');
    } catch {
      return refused('COORDINATOR_NOT_AVAILABLE'); // no producer id block could be had
    } finally {
      this.busy.delete(transactionalId);
    }
  }

  /** AddPartitionsToTxn: the partitions join the open transaction (opening it). */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: TxnPartition[]): Promise<TxnResult> {
    const owner = this.ownership(transactionalId);
    if (owner !== 'NONE') return owner;
    if (this.busy.has(transactionalId)) return 'CONCURRENT_TRANSACTIONS';
    const transition = addPartitions(this.transactions.get(transactionalId), producerId, producerEpoch, partitions, this.clock.nowMs());
    if ('error' in transition) return transition.error;
    if (transition.next === this.transactions.get(transactionalId)) return 'NONE';
    this.busy.add(transactionalId);
    try {
      return await this.persist(transition.next);
    } finally {
      this.busy.delete(transactionalId);
    }
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
  addOffsets(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<TxnResult> {
    const partition = groupPartition(groupId, this.offsetsTopicPartitions());
    return this.addPartitions(transactionalId, producerId, producerEpoch, [{ topic: OFFSETS_TOPIC, partition }]);
  }

  /** EndTxn: commits or aborts the open transaction. */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<TxnResult> {
    const owner = this.ownership(transactionalId);
    if (owner !== 'NONE') return owner;
    if (this.busy.has(transactionalId)) return 'CONCURRENT_TRANSACTIONS';
    const decision = endTransaction(this.transactions.get(transactionalId), producerId, producerEpoch, commit, this.clock.nowMs());
    if ('error' in decision) return decision.error;
    if (decision.next === null) return 'NONE'; // a retry of an end already done
    this.busy.add(transactionalId);
    try {
      const stored = await this.persist(decision.next);
      if (stored !== 'NONE') return stored;
      await this.finish(decision.next); // the decision is durable: even if markers lag, the sweep completes it
      return 'NONE';
    } finally {
      this.busy.delete(transactionalId);
    }
  }

  /** The state of an id as this coordinator holds it (undefined when unknown or coordinated elsewhere). */
  describe(transactionalId: string): TransactionMetadata | undefined {
    return this.ownership(transactionalId) === 'NONE' ? this.transactions.get(transactionalId) : undefined;
  }

  /** DescribeTransactions: each id's state, or why there is none here. */
  describeMany(transactionalIds: string[]): { transactionalId: string; error: TxnResult; meta: TransactionMetadata | undefined }[] {
    return transactionalIds.map((transactionalId) => {
      const owner = this.ownership(transactionalId);
      const meta = owner === 'NONE' ? this.transactions.get(transactionalId) : undefined;
      return { transactionalId, error: owner !== 'NONE' ? owner : meta ? 'NONE' : 'TRANSACTIONAL_ID_NOT_FOUND', meta };
    });
  }

  /**
   * ListTransactions: the ids this broker coordinates, filtered by state names, producer ids and
   * (when >= 0) a minimum age of the open transaction; unknown state names are reported back.
   */
  list(stateFilters: string[], producerIdFilters: number[], minDurationMs: number): { unknownStateFilters: string[]; transactions: TransactionMetadata[] } {
    this.sweepLoad();
    const known = new Set(Object.values(TXN_STATE_NAMES));
    const states = new Set(stateFilters.filter((s) => known.has(s)));
    const producers = new Set(producerIdFilters);
    const nowMs = this.clock.nowMs();
    const transactions = [...this.transactions.values()].filter(
      (t) =>
        (stateFilters.length === 0 || states.has(TXN_STATE_NAMES[t.state])) &&
        (producers.size === 0 || producers.has(t.producerId)) &&
        (minDurationMs < 0 || (t.state === TxnState.Ongoing && nowMs - t.startMs >= minDurationMs)),
    );
    return { unknownStateFilters: stateFilters.filter((s) => !known.has(s)), transactions };
  }

  /**
   * Timer duty: loads the state partitions this broker now leads (and drops the others), aborts
   * open transactions older than their timeout (fencing their producer) and resumes decisions
   * whose markers are not all written. Bounded per run.
   */
  sweep(): Promise<void> {
    this.sweepLoad();
    const nowMs = this.clock.nowMs();
    const work: Promise<unknown>[] = [];
    for (const meta of this.transactions.values()) {
      if (work.length >= MAX_SWEEP_ACTIONS) break;
      if (this.busy.has(meta.transactionalId)) continue;
      if (isPrepare(meta.state)) work.push(this.exclusively(meta.transactionalId, () => this.finish(meta)));
      else if (meta.state !== TxnState.Ongoing && nowMs - meta.updatedMs > this.settings.idExpirationMs) {
        work.push(this.exclusively(meta.transactionalId, () => this.expireId(meta.transactionalId)));
      } else if (hasExpired(meta, nowMs)) {
        work.push(
          this.exclusively(meta.transactionalId, async () => {
            const aborting = fence(meta, nowMs);
            if ((await this.persist(aborting)) === 'NONE') await this.finish(aborting);
          }),
        );
      }
    }
    return Promise.all(work).then(() => undefined);
  }

  /** Loads the state partitions this broker leads now and drops the others. */
  private sweepLoad(): void {
    const leading = new Set<number>();
    for (const replica of this.ctx.replicas.allPartitions()) {
      if (replica.topic !== TRANSACTION_STATE_TOPIC || !replica.isLeader) continue;
      leading.add(replica.index);
      const epoch = replica.leaderAndIsr?.leaderEpoch ?? -1;
      if (this.loaded.get(replica.index) !== epoch) this.load(replica.index, epoch);
    }
    // a partition led elsewhere now (or no longer hosted): its transactions are that leader's to finish
    for (const index of [...this.loaded.keys()]) if (!leading.has(index)) this.unload(index);
  }

  private async exclusively(transactionalId: string, task: () => Promise<unknown>): Promise<void> {
    this.busy.add(transactionalId);
    try {
      await task();
    } catch {
      // a failed step leaves the stored state as it was; the next sweep tries again
    } finally {
      this.busy.delete(transactionalId);
    }
  }

  /** Markers for a stored Prepare* decision, then Complete*. False when some partition is not marked yet. */
  private async finish(prepared: TransactionMetadata): Promise<boolean> {
    const coordinatorEpoch = this.ctx.replicas.getPartition(TRANSACTION_STATE_TOPIC, this.partitionOf(prepared.transactionalId))?.leaderAndIsr?.leaderEpoch ?? 0;
    const marker: TxnMarker = { producerId: prepared.producerId, producerEpoch: prepared.producerEpoch, commit: prepared.state === TxnState.PrepareCommit, coordinatorEpoch };
    let pending = prepared.partitions;
    for (let attempt = 0; attempt < MARKER_ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, MARKER_BACKOFF_MS * attempt));
      try {
        pending = await this.markers.write(marker, pending);
      } catch (error) {
        // fenced: the newer coordinator finishes the transaction; retrying here cannot succeed
        if (error instanceof CoordinatorFencedError) return false;
        throw error;
      }
    }
    if (pending.length > 0) return false;
    return (await this.persist(complete(prepared, this.clock.nowMs()))) === 'NONE';
  }

  /** Forgets an idle id: a tombstone in its partition (compaction drops its records), then the memory. */
  private async expireId(transactionalId: string): Promise<void> {
    const records = encodeBatch([{ key: encodeTransactionKey(transactionalId), value: null, timestamp: this.clock.nowMs() }]);
    const [result] = await this.ctx.replicas.appendRecords(-1, STATE_WRITE_TIMEOUT_MS, [{ topic: TRANSACTION_STATE_TOPIC, partition: this.partitionOf(transactionalId), records }]);
    if (result.errorCode === ErrorCode.NONE) this.transactions.delete(transactionalId);
  }

  /** Writes the id's new state (acks=all) and adopts it once stored. */
  private async persist(next: TransactionMetadata): Promise<TxnResult> {
    const nowMs = this.clock.nowMs();
    let result: { errorCode: number };
    try {
      const records = encodeBatch([{ key: encodeTransactionKey(next.transactionalId), value: encodeTransactionValue(next), timestamp: nowMs }]);
      [result] = await this.ctx.replicas.appendRecords(-1, STATE_WRITE_TIMEOUT_MS, [{ topic: TRANSACTION_STATE_TOPIC, partition: this.partitionOf(next.transactionalId), records }]);
    } catch {
      return 'COORDINATOR_NOT_AVAILABLE'; // nothing was stored; the client retries
    }
    if (result.errorCode === ErrorCode.NONE) {
      this.transactions.set(next.transactionalId, next);
      return 'NONE';
    }
    return result.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE';
  }

  /** NONE when this broker coordinates the id now (loading its partition if needed), else the error. */
  private ownership(transactionalId: string): TxnResult {
    if (!this.ctx.metadata().topicByName(TRANSACTION_STATE_TOPIC)) return 'COORDINATOR_NOT_AVAILABLE';
    const index = this.partitionOf(transactionalId);
    const partition = this.ctx.replicas.getPartition(TRANSACTION_STATE_TOPIC, index);
    if (!partition || !partition.isLeader) return 'NOT_COORDINATOR';
    const epoch = partition.leaderAndIsr?.leaderEpoch ?? -1;
    if (this.loaded.get(index) !== epoch) this.load(index, epoch);
    return 'NONE';
  }

  private partitionOf(transactionalId: string): number {
    return groupPartition(transactionalId, this.ctx.metadata().topicByName(TRANSACTION_STATE_TOPIC)?.partitions.size ?? this.settings.stateTopicPartitions);
  }

  /** Replays the partition: the latest record of each id wins, tombstones delete, malformed records are skipped. */
  private load(index: number, epoch: number): void {
    const partition = this.ctx.replicas.getPartition(TRANSACTION_STATE_TOPIC, index);
    if (!partition) return;
    this.unload(index);
    const latest = new Map<string, TransactionMetadata | null>();
    for (const batch of storedBatches(partition)) {
      for (const record of batch.records()) {
        try {
          if (!record.key) continue;
          const id = decodeTransactionKey(record.key);
          latest.set(id, record.value === null ? null : decodeTransactionValue(id, record.value));
        } catch (error) {
          if (!(error instanceof MalformedRecordError)) throw error;
        }
      }
    }
    for (const [id, meta] of latest) if (meta && this.transactions.size < MAX_TRANSACTIONAL_IDS) this.transactions.set(id, meta);
    this.loaded.set(index, epoch);
  }

  private unload(index: number): void {
    for (const id of [...this.transactions.keys()]) if (this.partitionOf(id) === index) this.transactions.delete(id);
    this.loaded.delete(index);
  }

  private createStateTopic(image: MetadataImage): Promise<void> {
    this.creatingTopic ??= this.ctx.controller
      .call('topics.create', {
        topics: [
          {
            name: TRANSACTION_STATE_TOPIC,
            numPartitions: this.settings.stateTopicPartitions,
            replicationFactor: Math.max(1, Math.min(this.settings.stateTopicReplicationFactor, image.activeBrokers().length)),
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
