import { Partition } from './partition';
import { FetcherSettings, LeaderEndpoint, ReplicaFetcher } from './replica-fetcher';
import { ReplicaManager } from './replica-manager';

/**
 * Keeps one ReplicaFetcher per leader broker and moves follower partitions between them as
 * leadership changes; fetchers with no partitions left are stopped.
 */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly leaderOf = new Map<string, number>();

  constructor(
    private readonly replicas: ReplicaManager,
    private readonly endpointFor: (leaderId: number) => LeaderEndpoint,
    private readonly settings: Partial<FetcherSettings> & { brokerId: number },
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Follows `partition` from `leaderId` (moving it off its previous leader's fetcher). */
  follow(partition: Partition, leaderId: number): void {
    const key = `${partition.topic}-${partition.index}`;
    this.unfollow(partition.topic, partition.index);
    let fetcher = this.fetchers.get(leaderId);
    if (!fetcher) {
      fetcher = new ReplicaFetcher(leaderId, this.endpointFor(leaderId), this.replicas, this.settings, this.onError);
      this.fetchers.set(leaderId, fetcher);
      fetcher.start();
    }
    fetcher.addPartition(partition);
    this.leaderOf.set(key, leaderId);
  }

  unfollow(topic: string, partition: number): void {
    const key = `${topic}-${partition}`;
    const leaderId = this.leaderOf.get(key);
    if (leaderId === undefined) return;
    this.leaderOf.delete(key);
    const fetcher = this.fetchers.get(leaderId);
    fetcher?.removePartition(topic, partition);
    if (fetcher && fetcher.partitionCount === 0) {
      this.fetchers.delete(leaderId);
      void fetcher.stop();
    }
  }

  get fetcherCount(): number {
    return this.fetchers.size;
  }

  async shutdown(): Promise<void> {
    const all = [...this.fetchers.values()];
    this.fetchers.clear();
    this.leaderOf.clear();
    await Promise.all(all.map((f) => f.stop()));
  }
}
