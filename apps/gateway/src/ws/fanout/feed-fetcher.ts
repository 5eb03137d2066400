import { ClusterClient, isStaleMetadataError, kafkaError } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { FeedChunk } from './feed-chunk';
import { FetchLane, PartitionFeed } from './partition-feed';

const OFFSET_OUT_OF_RANGE = 1;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

export interface FeedFetcherOptions {
  /** How long the broker may hold a Fetch with nothing new: 0 for catch-up reads, the long poll for the tail. */
  maxWaitMs: number;
  maxBytes: number;
  partitionMaxBytes: number;
  /** Pause after a failed request or a leaderless partition before trying again. */
  retryBackoffMs: number;
}

/**
 * Fetches the offsets feeds wait at for one lane, one Fetch in flight per broker (covering every
 * partition it leads that has an offset to fetch), on connections of the lane's own: a long poll
 * at the tail never holds up a catch-up read, nor a produce on the gateway's shared connections.
 * A broker's loop runs while there is something to fetch from it and ends when there is not.
 */
export class FeedFetcher {
  private readonly loops = new Set<number>();
  private readonly loadingTopics = new Set<string>();
  private closed = false;

  constructor(
    private readonly cluster: ClusterClient,
    private readonly lane: FetchLane,
    private readonly feeds: () => Iterable<PartitionFeed>,
    private readonly options: FeedFetcherOptions,
  ) {}

  /** `feed` may have an offset for this lane: makes sure its leader's loop runs. */
  wake(feed: PartitionFeed): void {
    if (this.closed) return;
    const leader = this.leaderOf(feed);
    if (leader !== undefined && this.loops.has(leader)) return;
    if (feed.nextFetch(this.lane) === undefined) return;
    if (leader === undefined) void this.loadLeaders(feed.topic);
    else this.startLoop(leader);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cluster.close();
  }

  private startLoop(brokerId: number): void {
    this.loops.add(brokerId);
    void this.loop(brokerId);
  }

  private async loop(brokerId: number): Promise<void> {
    // bounded: ends when no feed led by this broker has an offset to fetch, or at close
    for (;;) {
      const wanted = this.closed ? [] : this.wantedFrom(brokerId);
      if (wanted.length === 0) {
        this.loops.delete(brokerId);
        return;
      }
      await this.fetch(brokerId, wanted);
    }
  }

  private wantedFrom(brokerId: number): { feed: PartitionFeed; offset: number }[] {
    const wanted: { feed: PartitionFeed; offset: number }[] = [];
    for (const feed of this.feeds()) {
      if (this.leaderOf(feed) !== brokerId) continue;
      const offset = feed.nextFetch(this.lane);
      if (offset !== undefined) wanted.push({ feed, offset });
    }
    return wanted;
  }

  private async fetch(brokerId: number, wanted: { feed: PartitionFeed; offset: number }[]): Promise<void> {
    for (const { feed, offset } of wanted) feed.fetchStarted(offset);
    const byTopic = new Map<string, { feed: PartitionFeed; offset: number }[]>();
    for (const w of wanted) byTopic.set(w.feed.topic, [...(byTopic.get(w.feed.topic) ?? []), w]);
    const settled = new Set<PartitionFeed>();
    try {
      const connection = await this.cluster.connection(brokerId);
      const response = await connection.request(1, {
        replicaId: -1,
        maxWaitMs: this.options.maxWaitMs,
        minBytes: 1,
        maxBytes: this.options.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...byTopic].map(([topic, list]) => ({
          topic,
          topicId: this.cluster.cachedTopic(topic)?.topicId,
          partitions: list.map(({ feed, offset }) => ({ partition: feed.partition, fetchOffset: offset, partitionMaxBytes: this.options.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      });
      const nameById = new Map([...byTopic.keys()].map((topic) => [this.cluster.cachedTopic(topic)?.topicId, topic]));
      const stale = new Set<string>();
      for (const topicResponse of response.responses) {
        const topic = topicResponse.topic || nameById.get(topicResponse.topicId) || '';
        for (const p of topicResponse.partitions) {
          const entry = byTopic.get(topic)?.find((w) => w.feed.partition === p.partitionIndex);
          if (!entry || settled.has(entry.feed)) continue;
          settled.add(entry.feed);
          const { feed, offset } = entry;
          if (p.errorCode === 0) {
            let chunk: FeedChunk | null;
            try {
              chunk = FeedChunk.of(topic, feed.partition, offset, p.records);
            } catch (error) {
              // records that do not decode (corrupt, or a codec refusing them) would fail again: readers learn why
              feed.fetchAbandoned(offset);
              feed.fail(error instanceof Error ? error : new Error(String(error)));
              continue;
            }
            feed.fetched(offset, Number(p.highWatermark), chunk);
          } else if (p.errorCode === OFFSET_OUT_OF_RANGE) {
            void feed.outOfRange(offset);
          } else if (isStaleMetadataError(p.errorCode)) {
            feed.fetchAbandoned(offset);
            stale.add(topic);
          } else {
            feed.fetchAbandoned(offset);
            feed.fail(kafkaError(p.errorCode, `fetch ${topic}-${feed.partition} at offset ${offset}`));
          }
        }
      }
      for (const topic of stale) {
        this.cluster.invalidate(topic);
        void this.loadLeaders(topic);
      }
    } catch {
      // the connection failed or timed out: a fresh one, fresh leaders, and a pause before the next try
      this.cluster.dropConnection(brokerId);
      await this.cluster.refresh().catch(() => undefined);
      await sleep(this.options.retryBackoffMs);
    } finally {
      for (const { feed, offset } of wanted) if (!settled.has(feed)) feed.fetchAbandoned(offset);
    }
  }

  private leaderOf(feed: PartitionFeed): number | undefined {
    const leader = this.cluster.cachedTopic(feed.topic)?.partitions[feed.partition]?.leader;
    return leader !== undefined && leader >= 0 ? leader : undefined;
  }

  /**
   * Loads `topic`'s leaders, then wakes its feeds (on their leaders' loops). A leaderless partition is
   * asked about again after the backoff; a topic that no longer exists fails its feeds.
   */
  private async loadLeaders(topic: string): Promise<void> {
    if (this.loadingTopics.has(topic)) return;
    this.loadingTopics.add(topic);
    try {
      // bounded: retried while a feed of the topic is still waiting and the fetcher is open
      for (let attempt = 0; !this.closed; attempt++) {
        if (attempt > 0) await sleep(this.options.retryBackoffMs);
        const feeds = [...this.feeds()].filter((f) => f.topic === topic && f.nextFetch(this.lane) !== undefined);
        if (feeds.length === 0) return;
        try {
          this.cluster.invalidate(topic);
          await this.cluster.topic(topic);
        } catch (error) {
          if (error instanceof KafkaProtocolError && error.code === UNKNOWN_TOPIC_OR_PARTITION) {
            for (const feed of feeds) feed.fail(error);
            return;
          }
          continue;
        }
        if (feeds.every((f) => this.leaderOf(f) !== undefined)) break;
      }
    } finally {
      this.loadingTopics.delete(topic);
    }
    for (const feed of this.feeds()) if (feed.topic === topic) this.wake(feed);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
