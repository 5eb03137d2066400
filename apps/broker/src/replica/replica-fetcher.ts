import { ErrorCode } from './kafka-errors';
import { Partition } from './partition';
import { FetchParams, FetchPartitionResult, ReplicaManager } from './replica-manager';

/** How a follower reaches its leader: the Kafka Fetch / OffsetForLeaderEpoch / ListOffsets calls. */
export interface LeaderEndpoint {
  fetch(params: FetchParams): Promise<FetchPartitionResult[]>;
  offsetForLeaderEpoch(topic: string, partition: number, leaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: number }>;
  logOffsets(topic: string, partition: number): Promise<{ errorCode: number; logStartOffset: number; logEndOffset: number }>;
}

export interface FetcherSettings {
  brokerId: number;
  /** replica.fetch.wait.max.ms */
  maxWaitMs: number;
  /** replica.fetch.max.bytes per partition, replica.fetch.response.max.bytes per fetch */
  partitionMaxBytes: number;
  responseMaxBytes: number;
  /** replica.fetch.backoff.ms after an error */
  backoffMs: number;
}

export const DEFAULT_FETCHER_SETTINGS: Omit<FetcherSettings, 'brokerId'> = {
  maxWaitMs: 500,
  partitionMaxBytes: 1024 * 1024,
  responseMaxBytes: 10 * 1024 * 1024,
  backoffMs: 1000,
};

type FetchState = 'truncating' | 'fetching';

/**
 * One fetcher per leader broker, as in Kafka: each partition first truncates what diverged from
 * the leader (OffsetForLeaderEpoch with its latest epoch), then fetches from its log end in a loop;
 * the leader learns the follower's position from the fetch offset and moves the HW.
 */
export class ReplicaFetcher {
  private readonly states = new Map<string, { partition: Partition; state: FetchState }>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly settings: FetcherSettings;

  constructor(
    readonly leaderId: number,
    private readonly endpoint: LeaderEndpoint,
    private readonly replicas: ReplicaManager,
    settings: Partial<FetcherSettings> & { brokerId: number },
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.settings = { ...DEFAULT_FETCHER_SETTINGS, ...settings };
  }

  get partitionCount(): number {
    return this.states.size;
  }

  addPartition(partition: Partition): void {
    this.states.set(`${partition.topic}-${partition.index}`, { partition, state: 'truncating' });
    this.wake?.();
  }

  removePartition(topic: string, partition: number): void {
    this.states.delete(`${topic}-${partition}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.states.size === 0) {
          await this.sleep(this.settings.maxWaitMs);
          continue;
        }
        await this.truncateDiverged();
        const fetched = await this.fetchOnce();
        if (!fetched) await this.sleep(this.settings.backoffMs);
      } catch (error) {
        this.onError(error as Error);
        await this.sleep(this.settings.backoffMs);
      }
    }
  }

  private async truncateDiverged(): Promise<void> {
    for (const [key, entry] of this.states) {
      if (entry.state !== 'truncating') continue;
      const { partition } = entry;
      const latestEpoch = partition.log.leaderEpochs.latestEpoch;
      if (latestEpoch >= 0) {
        const answer = await this.endpoint.offsetForLeaderEpoch(partition.topic, partition.index, latestEpoch);
        if (answer.errorCode !== ErrorCode.NONE) continue; // retried on the next round
        if (answer.endOffset >= 0 && answer.endOffset < partition.logEndOffset) partition.truncateTo(answer.endOffset);
      }
      if (this.states.get(key) === entry) entry.state = 'fetching';
    }
  }

  /** One Fetch round trip; false when nothing could be fetched (back off). */
  private async fetchOnce(): Promise<boolean> {
    const fetching = [...this.states.values()].filter((e) => e.state === 'fetching');
    if (fetching.length === 0) return false;
    const results = await this.endpoint.fetch({
      replicaId: this.settings.brokerId,
      maxWaitMs: this.settings.maxWaitMs,
      minBytes: 1,
      maxBytes: this.settings.responseMaxBytes,
      isolation: 'log-end',
      partitions: fetching.map(({ partition }) => ({ topic: partition.topic, partition: partition.index, fetchOffset: partition.logEndOffset, partitionMaxBytes: this.settings.partitionMaxBytes })),
    });
    let progressed = false;
    for (const result of results) {
      const entry = this.states.get(`${result.topic}-${result.partition}`);
      if (!entry) continue; // removed while the fetch was in flight
      const { partition } = entry;
      if (result.errorCode === ErrorCode.NONE) {
        partition.appendAsFollower(result.records, result.highWatermark);
        this.replicas.onPartitionChanged(partition.topic, partition.index);
        progressed = true;
      } else if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        await this.handleOutOfRange(partition);
        progressed = true;
      } else {
        // NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC...: metadata will move this partition; back off
      }
    }
    return progressed;
  }

  /** Kafka's rule: ahead of the leader -> truncate to its end; behind its start -> restart there. */
  private async handleOutOfRange(partition: Partition): Promise<void> {
    const offsets = await this.endpoint.logOffsets(partition.topic, partition.index);
    if (offsets.errorCode !== ErrorCode.NONE) return;
    if (partition.logEndOffset > offsets.logEndOffset) partition.truncateTo(offsets.logEndOffset);
    else partition.truncateFullyAndStartAt(offsets.logStartOffset);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
