import { LogConfig, LogManager } from '@tributary/log-engine';
import { DelayedOperations } from './delayed-operations';
import { ErrorCode, KafkaError } from './kafka-errors';
import { AppendOrigin, Clock, Isolation, IsrChangeSink, LeaderAndIsr, Partition, toKafkaError } from './partition';
import { AbortedTransaction } from './transaction-index';

export interface ReplicaSettings {
  brokerId: number;
  /** min.insync.replicas */
  minInsyncReplicas: number;
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs: number;
  /** Bounds of the two purgatories. */
  maxDelayedProduces: number;
  maxDelayedFetches: number;
}

export const DEFAULT_REPLICA_SETTINGS: Omit<ReplicaSettings, 'brokerId'> = {
  minInsyncReplicas: 1,
  replicaLagTimeMaxMs: 30_000,
  maxDelayedProduces: 10_000,
  maxDelayedFetches: 10_000,
};

export interface ProducePartition {
  topic: string;
  partition: number;
  records: Buffer;
}

export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export interface FetchPartition {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed only: aborted transactions that may hide records of this answer (null otherwise). */
  abortedTransactions?: AbortedTransaction[] | null;
  records: Buffer;
}

/** The records of a partition read that found none (zero bytes: one shared buffer serves every answer). */
const NO_RECORDS = Buffer.alloc(0);

function fetchError(p: FetchPartition, errorCode: number, highWatermark: number, logStartOffset: number): FetchPartitionResult {
  return { topic: p.topic, partition: p.partition, errorCode, highWatermark, lastStableOffset: -1, logStartOffset, records: NO_RECORDS };
}

export interface FetchParams {
  /** -1 for consumers; a broker id for followers (reads up to the log end and reports position). */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolation: Isolation;
  partitions: FetchPartition[];
}

function keyOf(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * The broker's data plane: the partitions it hosts (leader or follower), produce with acks
 * 0/1/all and fetch with long polling, both through purgatories that complete when a partition
 * changes. Hands out bytes as the log stores them; never decodes records.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  private readonly produceWaiters: DelayedOperations;
  private readonly fetchWaiters: DelayedOperations;
  private readonly settings: ReplicaSettings;

  constructor(
    private readonly logs: LogManager,
    settings: Partial<ReplicaSettings> & { brokerId: number },
    private readonly clock: Clock,
    private readonly isrSink: IsrChangeSink,
  ) {
    this.settings = { ...DEFAULT_REPLICA_SETTINGS, ...settings };
    this.produceWaiters = new DelayedOperations('produce', this.settings.maxDelayedProduces);
    this.fetchWaiters = new DelayedOperations('fetch', this.settings.maxDelayedFetches);
  }

  get purgatorySizes(): { produce: number; fetch: number } {
    return { produce: this.produceWaiters.size, fetch: this.fetchWaiters.size };
  }

  /** The logs on this broker's disks, hosted or not (strays are found by comparing with metadata). */
  logsOnDisk(): { topic: string; partition: number }[] {
    return this.logs.partitions();
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(keyOf(topic, partition));
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Applies a leadership change from the metadata image: creates the log when new. */
  becomeLeaderOrFollower(topic: string, partition: number, state: LeaderAndIsr, config: Partial<LogConfig> = {}): Partition {
    const key = keyOf(topic, partition);
    let replica = this.partitions.get(key);
    if (!replica) {
      const log = this.logs.createLog({ topic, partition }, config);
      replica = new Partition(topic, partition, log, this.settings.brokerId, this.clock, this.isrSink, this.settings);
      this.partitions.set(key, replica);
    }
    if (state.leaderId === this.settings.brokerId) replica.makeLeader(state);
    else replica.makeFollower(state);
    this.onPartitionChanged(topic, partition);
    return replica;
  }

  /** Stops hosting the partition; with `deleteLog` its data goes too (topic deletion). */
  stopReplica(topic: string, partition: number, deleteLog: boolean): void {
    this.partitions.delete(keyOf(topic, partition));
    if (deleteLog) this.logs.deleteLog({ topic, partition });
    else this.logs.getLog({ topic, partition })?.close();
    this.onPartitionChanged(topic, partition);
  }

  /**
   * Appends to every partition (each independently: one bad partition does not fail the others).
   * acks=0/1 answer at once; acks=-1 waits until the HW covers each append or `timeoutMs` passes.
   */
  appendRecords(acks: number, timeoutMs: number, entries: ProducePartition[], origin: AppendOrigin = 'client'): Promise<ProducePartitionResult[]> {
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return Promise.resolve(entries.map((e) => this.produceError(e, new KafkaError('INVALID_REQUIRED_ACKS', `acks must be -1, 0 or 1, got ${acks}`))));
    }
    const results: ProducePartitionResult[] = [];
    const waiting: { index: number; partition: Partition; requiredOffset: number }[] = [];
    for (const entry of entries) {
      const replica = this.partitions.get(keyOf(entry.topic, entry.partition));
      if (!replica) {
        results.push(this.produceError(entry, new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${entry.topic}-${entry.partition} is not hosted here`)));
        continue;
      }
      try {
        const info = replica.appendAsLeader(entry.records, acks, origin);
        results.push({
          topic: entry.topic,
          partition: entry.partition,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          baseOffset: info.firstOffset,
          logAppendTimeMs: info.logAppendTimeMs,
          logStartOffset: replica.logStartOffset,
        });
        if (acks === -1) waiting.push({ index: results.length - 1, partition: replica, requiredOffset: info.lastOffset + 1 });
        this.onPartitionChanged(entry.topic, entry.partition);
      } catch (error) {
        results.push(this.produceError(entry, toKafkaError(error)));
      }
    }
    if (waiting.length === 0) return Promise.resolve(results);
    return new Promise((resolve) => {
      const pending = new Set(waiting);
      const settle = (final: boolean) => {
        for (const w of [...pending]) {
          const check = w.partition.checkEnoughReplicasReach(w.requiredOffset);
          if (check.done) {
            pending.delete(w);
            if (check.error) Object.assign(results[w.index], { errorCode: check.error.code, errorMessage: check.error.message });
          } else if (final) {
            Object.assign(results[w.index], { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: 'timed out waiting for in-sync replicas' });
          }
        }
        if (pending.size === 0 || final) {
          resolve(results);
          return true;
        }
        return false;
      };
      this.produceWaiters.tryCompleteElseWatch(
        { tryComplete: () => settle(false), onExpire: () => settle(true) },
        waiting.map((w) => keyOf(w.partition.topic, w.partition.index)),
        timeoutMs,
      );
    });
  }

  /**
   * Reads from every partition; answers at once when min.bytes is reached, max.wait is 0 or an
   * error occurred, otherwise waits (long poll) until enough data arrives or max.wait passes.
   */
  fetch(params: FetchParams): Promise<FetchPartitionResult[]> {
    const readAll = (): { results: FetchPartitionResult[]; bytes: number; hasError: boolean } => {
      let remaining = params.maxBytes;
      let bytes = 0;
      let hasError = false;
      const results = params.partitions.map((p) => {
        const result = this.readPartition(p, Math.max(0, Math.min(p.partitionMaxBytes, remaining)), params, bytes === 0);
        bytes += result.records.length;
        remaining -= result.records.length;
        if (result.errorCode !== ErrorCode.NONE) hasError = true;
        return result;
      });
      return { results, bytes, hasError };
    };
    const first = readAll();
    if (params.maxWaitMs <= 0 || first.bytes >= Math.max(1, params.minBytes) || first.hasError || params.partitions.length === 0) {
      return Promise.resolve(first.results);
    }
    return new Promise((resolve) => {
      let latest = first;
      this.fetchWaiters.tryCompleteElseWatch(
        {
          tryComplete: () => {
            latest = readAll();
            if (latest.bytes >= Math.max(1, params.minBytes) || latest.hasError) {
              resolve(latest.results);
              return true;
            }
            return false;
          },
          onExpire: () => resolve(readAll().results),
        },
        params.partitions.map((p) => keyOf(p.topic, p.partition)),
        params.maxWaitMs,
      );
    });
  }

  /**
   * OffsetForLeaderEpoch (leader side): the end offset of `leaderEpoch` in this leader's log, so a
   * follower can cut away what diverged. Kafka's answer: the largest epoch <= the requested one
   * and the start offset of the next epoch (or the log end for the latest).
   */
  offsetForLeaderEpoch(topic: string, partition: number, leaderEpoch: number): { errorCode: number; leaderEpoch: number; endOffset: number } {
    const replica = this.partitions.get(keyOf(topic, partition));
    if (!replica) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1, endOffset: -1 };
    if (!replica.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 };
    const answer = replica.log.leaderEpochs.endOffsetFor(leaderEpoch, replica.logEndOffset);
    return { errorCode: ErrorCode.NONE, leaderEpoch: answer.epoch, endOffset: answer.endOffset };
  }

  /** ListOffsets latest/earliest for a leader (used by followers that fell out of range). */
  logOffsets(topic: string, partition: number): { errorCode: number; logStartOffset: number; logEndOffset: number } {
    const replica = this.partitions.get(keyOf(topic, partition));
    if (!replica) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, logStartOffset: -1, logEndOffset: -1 };
    if (!replica.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, logStartOffset: -1, logEndOffset: -1 };
    return { errorCode: ErrorCode.NONE, logStartOffset: replica.logStartOffset, logEndOffset: replica.logEndOffset };
  }

  /** Leader duty run on a timer: shrink ISRs of lagging followers. */
  maybeShrinkIsrs(): void {
    for (const replica of this.partitions.values()) replica.maybeShrinkIsr();
  }

  /** Wakes purgatory entries of a partition (after an append, an HW move or a role change). */
  onPartitionChanged(topic: string, partition: number): void {
    const key = keyOf(topic, partition);
    this.fetchWaiters.checkAndComplete(key);
    this.produceWaiters.checkAndComplete(key);
  }

  /** Persists producer state so a restart replays only the log written after it. */
  snapshotProducerStates(): void {
    for (const replica of this.partitions.values()) replica.producers.takeSnapshot(replica.logEndOffset, replica.logStartOffset);
  }

  shutdown(): void {
    this.produceWaiters.expireAll();
    this.fetchWaiters.expireAll();
    this.snapshotProducerStates();
  }

  /**
   * One partition of a fetch. `maxBytes` is what is left of the response budget; it is soft for
   * the first partition with data (one batch larger than the limit is still returned, or a large
   * batch would block its consumer forever), and exhausted budgets skip the read.
   */
  private readPartition(p: FetchPartition, maxBytes: number, params: FetchParams, nothingYet: boolean): FetchPartitionResult {
    const replica = this.partitions.get(keyOf(p.topic, p.partition));
    if (!replica) return fetchError(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
    try {
      const isFollower = params.replicaId >= 0;
      const skip = maxBytes <= 0 && !nothingYet && !isFollower;
      const hwBefore = replica.highWatermark;
      const read = skip ? null : replica.read(p.fetchOffset, Math.max(1, maxBytes), isFollower ? 'log-end' : params.isolation, params.replicaId);
      if (isFollower && replica.highWatermark !== hwBefore) {
        // a follower's fetch moved the HW: acks=all producers and consumers may proceed
        queueMicrotask(() => this.onPartitionChanged(p.topic, p.partition));
      }
      // one object per partition read, no spreads: a long poll reads again on every append to its partitions
      return {
        topic: p.topic,
        partition: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: replica.highWatermark,
        lastStableOffset: replica.lastStableOffset,
        logStartOffset: replica.logStartOffset,
        abortedTransactions: params.isolation === 'committed' && !isFollower ? (read?.abortedTransactions ?? []) : null,
        records: read?.records ?? NO_RECORDS,
      };
    } catch (error) {
      return fetchError(p, toKafkaError(error).code, replica.highWatermark, replica.logStartOffset);
    }
  }

  private produceError(entry: ProducePartition, error: KafkaError): ProducePartitionResult {
    return { topic: entry.topic, partition: entry.partition, errorCode: error.code, errorMessage: error.message, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
  }
}
