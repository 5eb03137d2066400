import { encodeRecordBatch } from '@tributary/protocol';
import { KafkaService } from '../cluster/kafka.service';
import { ChunkCache } from './fanout/chunk-cache';
import { FeedSource } from './fanout/fanout-hub';
import { FeedChunk } from './fanout/feed-chunk';
import { FeedHost, FetchLane, PartitionFeed, feedKey } from './fanout/partition-feed';
import { DirectSubscription } from './direct-subscription';
import { WS_LIMITS } from './ws-limits';
import { ServerFrame, SubscribeFrame, parseClientFrame } from './ws-protocol';

/**
 * Real feeds and a real chunk cache; the test plays the fetchers (it answers the offsets the feeds
 * ask for with record batches) and the cluster's metadata, so every fetch is visible.
 */
class TestFeeds implements FeedSource, FeedHost {
  readonly cache: ChunkCache;
  readonly feeds = new Map<string, PartitionFeed>();
  range = { earliest: 0, latest: 0 };
  /** Fetches answered, by offset. */
  readonly fetchedOffsets: number[] = [];

  constructor(budgetBytes = 64 * 1024 * 1024) {
    this.cache = new ChunkCache(budgetBytes);
  }

  acquire(topic: string, partition: number): PartitionFeed {
    const key = feedKey(topic, partition);
    const feed = this.feeds.get(key) ?? new PartitionFeed(topic, partition, this);
    this.feeds.set(key, feed);
    feed.references++;
    return feed;
  }

  release(feed: PartitionFeed): void {
    if (--feed.references > 0) return;
    this.feeds.delete(feed.key);
    feed.dispose();
  }

  wanted(): void {}

  async offsetRange(): Promise<{ earliest: number; latest: number }> {
    return this.range;
  }

  feed(partition = 0): PartitionFeed {
    return this.feeds.get(feedKey('t', partition))!;
  }

  /** Answers the feed's next wanted offset in `lane` with `count` records (values v<offset>); false when it wants none. */
  serve(lane: FetchLane, count: number, highWatermark: number, partition = 0): boolean {
    const feed = this.feed(partition);
    const offset = feed.nextFetch(lane);
    if (offset === undefined) return false;
    feed.fetchStarted(offset);
    this.fetchedOffsets.push(offset);
    const bytes = count > 0 ? encodeRecordBatch(Array.from({ length: count }, (_, i) => ({ value: `v${offset + i}` })), { baseOffset: offset }) : null;
    feed.fetched(offset, highWatermark, FeedChunk.of('t', partition, offset, bytes));
    return true;
  }
}

function subscribeFrame(fields: Record<string, unknown>): SubscribeFrame {
  const parsed = parseClientFrame(JSON.stringify({ type: 'subscribe', id: 's', partitions: [{ topic: 't', partition: 0, offset: 0 }], ...fields }));
  if (!('frame' in parsed) || parsed.frame.type !== 'subscribe') throw new Error(`bad test frame: ${JSON.stringify(parsed)}`);
  return parsed.frame;
}

const kafka = {
  cluster: { topic: async () => ({ name: 't', topicId: '', partitions: [0, 1].map((partition) => ({ partition, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] })) }) },
  admin: { listOffsets: async () => [0, 1].map((partition) => ({ partition, offset: 0, timestamp: -1 })) },
} as unknown as KafkaService;

async function subscriber(feeds: TestFeeds, fields: Record<string, unknown>) {
  const frames: ServerFrame[] = [];
  let writable = true;
  const ended: string[] = [];
  const subscription = new DirectSubscription(subscribeFrame(fields), kafka, feeds, {
    send: (frame) => frames.push(frame),
    sendText: (text) => frames.push(JSON.parse(text) as ServerFrame),
    sendParts: (parts) => frames.push(JSON.parse(Buffer.concat(parts).toString()) as ServerFrame),
    writable: () => writable,
    ended: (_id, reason) => ended.push(reason),
  });
  await subscription.start();
  const delivered = () => frames.flatMap((f) => (f.type === 'records' ? f.records.map((r) => r.offset) : []));
  return { subscription, frames, delivered, ended, setWritable: (on: boolean) => (writable = on) };
}

describe('DirectSubscription on shared feeds', () => {
  it('sends no more than the granted credit, in order, across grants, and fetches nothing without credit', async () => {
    const feeds = new TestFeeds();
    const { subscription, frames, delivered } = await subscriber(feeds, { credit: 3 });
    expect(frames[0]).toEqual({ type: 'subscribed', id: 's', partitions: [{ topic: 't', partition: 0, offset: 0 }] });
    expect(feeds.serve('catch-up', 10, 15)).toBe(true);
    expect(delivered()).toEqual([0, 1, 2]);
    expect(subscription.grant(5)).toBeNull();
    expect(delivered()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    subscription.grant(2);
    // credit used up exactly at the chunk's end: nothing waits at offset 10, so nothing is fetched
    expect(feeds.feed().nextFetch('catch-up')).toBeUndefined();
    subscription.grant(100);
    expect(feeds.serve('catch-up', 5, 15)).toBe(true);
    expect(delivered()).toEqual(Array.from({ length: 15 }, (_, i) => i));
    // at the end, the reader waits in the tail lane
    expect(feeds.feed().nextFetch('catch-up')).toBeUndefined();
    expect(feeds.feed().nextFetch('tail')).toBe(15);
    expect(subscription.grant(WS_LIMITS.maxCredit)).toMatchObject({ type: 'error', error_code: 429 });
  });

  it('many subscribers at one offset share one fetch per chunk, and each gets every record', async () => {
    const feeds = new TestFeeds();
    const subscribers = await Promise.all(Array.from({ length: 50 }, () => subscriber(feeds, { credit: 1000 })));
    for (let chunk = 0; chunk < 4; chunk++) expect(feeds.serve('catch-up', 100, 400)).toBe(true);
    expect(feeds.serve('catch-up', 100, 400)).toBe(false);
    expect(feeds.fetchedOffsets).toEqual([0, 100, 200, 300]);
    for (const s of subscribers) expect(s.delivered()).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(feeds.feed().nextFetch('tail')).toBe(400);
  });

  it('splits deliveries into frames of at most maxRecordsPerFrame and holds them while the socket is not writable', async () => {
    const feeds = new TestFeeds();
    const { subscription, frames, delivered, setWritable } = await subscriber(feeds, { credit: 1200 });
    setWritable(false);
    feeds.serve('catch-up', 1200, 1200);
    expect(delivered()).toEqual([]);
    setWritable(true);
    subscription.pump();
    expect(frames.filter((f) => f.type === 'records').map((f) => (f.type === 'records' ? f.records.length : 0))).toEqual([500, 500, 200]);
  });

  it('a reader whose chunk was evicted fetches it again; the cache stays within its budget', async () => {
    const feeds = new TestFeeds(64 * 1024);
    const slow = await subscriber(feeds, { credit: 1 });
    const fast = await subscriber(feeds, { credit: 10_000 });
    // bounded: 40 chunks of 100 records of about 100 encoded bytes each, far over the 64 KiB budget
    for (let chunk = 0; chunk < 40; chunk++) feeds.serve('catch-up', 100, 4000);
    expect(fast.delivered()).toHaveLength(4000);
    expect(feeds.cache.bytes).toBeLessThanOrEqual(64 * 1024 + 32 * 1024);
    expect(slow.delivered()).toEqual([0]);
    slow.subscription.grant(200);
    // the slow reader's chunk at offset 1 was evicted: it is asked for again from offset 1
    expect(feeds.feed().nextFetch('catch-up')).toBe(1);
    feeds.serve('catch-up', 99, 4000);
    feeds.serve('catch-up', 100, 4000);
    expect(slow.delivered()).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a reader below the log start moves to it, one beyond the end to the end', async () => {
    const feeds = new TestFeeds();
    feeds.range = { earliest: 50, latest: 80 };
    const low = await subscriber(feeds, { credit: 10, partitions: [{ topic: 't', partition: 0, offset: 5 }] });
    const feed = feeds.feed();
    feed.fetchStarted(5);
    await feed.outOfRange(5);
    expect(feed.nextFetch('catch-up')).toBe(50);
    feeds.serve('catch-up', 3, 80);
    expect(low.delivered()).toEqual([50, 51, 52]);

    const high = await subscriber(feeds, { credit: 10, partitions: [{ topic: 't', partition: 1, offset: 500 }] });
    feeds.feed(1).fetchStarted(500);
    await feeds.feed(1).outOfRange(500);
    expect(feeds.feed(1).nextFetch('catch-up')).toBe(80);
    expect(high.ended).toEqual([]);
  });

  it('a feed that fails (topic deleted) ends its subscriptions with an error frame', async () => {
    const feeds = new TestFeeds();
    const { frames, ended } = await subscriber(feeds, { credit: 10 });
    feeds.feed().fail(Object.assign(new Error('fetch t-0: UNKNOWN_TOPIC_OR_PARTITION'), { code: 3 }));
    expect(frames.at(-1)).toMatchObject({ type: 'error', id: 's' });
    expect(ended).toHaveLength(1);
  });

  it('refuses acks: its client keeps its own positions; closing releases the feeds', async () => {
    const feeds = new TestFeeds();
    const { subscription } = await subscriber(feeds, { credit: 1 });
    expect(subscription.ack({ type: 'ack', id: 's', offsets: [{ topic: 't', partition: 0, offset: 0 }] })).toMatchObject({ error_code: 400 });
    feeds.serve('catch-up', 10, 10);
    await subscription.close();
    expect(feeds.feeds.size).toBe(0);
    expect(feeds.cache.bytes).toBe(0);
  });
});
