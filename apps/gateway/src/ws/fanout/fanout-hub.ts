import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { KafkaService } from '../../cluster/kafka.service';
import { WS_LIMITS } from '../ws-limits';
import { ChunkCache } from './chunk-cache';
import { FeedFetcher } from './feed-fetcher';
import { FeedHost, PartitionFeed, feedKey } from './partition-feed';

/** Where direct subscriptions get their partitions' feeds. */
export interface FeedSource {
  acquire(topic: string, partition: number): PartitionFeed;
  release(feed: PartitionFeed): void;
}

/**
 * The shared read side of direct WebSocket subscriptions: one feed per partition read by any of
 * them, one chunk cache for all feeds, and two fetchers (catch-up reads and tail long polls) with
 * connections of their own. A thousand subscribers of one partition cost the cluster one Fetch
 * per chunk and the gateway one copy of the records, instead of a consumer each.
 */
@Injectable()
export class FanoutHub implements FeedSource, FeedHost, OnApplicationShutdown {
  readonly cache = new ChunkCache(WS_LIMITS.fanoutCacheBytes);
  private readonly feeds = new Map<string, PartitionFeed>();
  private readonly catchUp: FeedFetcher;
  private readonly tail: FeedFetcher;

  constructor(private readonly kafka: KafkaService) {
    const feeds = () => this.feeds.values();
    const sizes = { maxBytes: WS_LIMITS.fanoutFetchMaxBytes, partitionMaxBytes: WS_LIMITS.fanoutPartitionFetchMaxBytes, retryBackoffMs: WS_LIMITS.fanoutRetryBackoffMs };
    this.catchUp = new FeedFetcher(kafka.createClusterClient('tributary-gateway-fanout'), 'catch-up', feeds, { ...sizes, maxWaitMs: 0 });
    this.tail = new FeedFetcher(kafka.createClusterClient('tributary-gateway-fanout-tail'), 'tail', feeds, { ...sizes, maxWaitMs: WS_LIMITS.fetchMaxWaitMs });
  }

  acquire(topic: string, partition: number): PartitionFeed {
    const key = feedKey(topic, partition);
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = new PartitionFeed(topic, partition, this);
      this.feeds.set(key, feed);
    }
    feed.references++;
    return feed;
  }

  release(feed: PartitionFeed): void {
    if (--feed.references > 0 || this.feeds.get(feed.key) !== feed) return;
    this.feeds.delete(feed.key);
    feed.dispose();
  }

  wanted(feed: PartitionFeed): void {
    this.catchUp.wake(feed);
    this.tail.wake(feed);
  }

  async offsetRange(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
    const [earliest, latest] = await Promise.all([this.kafka.admin.listOffsets(topic, 'earliest'), this.kafka.admin.listOffsets(topic, 'latest')]);
    const at = (offsets: { partition: number; offset: number }[]) => offsets.find((o) => o.partition === partition)?.offset ?? 0;
    return { earliest: at(earliest), latest: at(latest) };
  }

  async onApplicationShutdown(): Promise<void> {
    for (const feed of this.feeds.values()) feed.dispose();
    this.feeds.clear();
    await Promise.all([this.catchUp.close(), this.tail.close()]);
  }
}
