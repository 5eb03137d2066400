import { ChunkCache, ChunkOwner } from './chunk-cache';
import { FeedChunk } from './feed-chunk';

/** Chunks before the last one starting at or before an offset that may still cover it. */
const LOOK_BACK_CHUNKS = 4;

/** The two kinds of Fetch: for offsets the partition already has (answered at once) and at its end (long polls). */
export type FetchLane = 'catch-up' | 'tail';

/** A reader that waits for an offset of a feed (one per subscription and partition). */
export interface FeedWaiter {
  /** Something changed for the offset it waits at: read again. */
  wake(): void;
}

/** What a reader finds at its offset. */
export type FeedRead =
  /** Records from `index` on (none when index = records.length: move on to chunk.next). */
  | { chunk: FeedChunk; index: number }
  /** The offset is out of the partition's range (deleted, or beyond its end): continue from `offset`. */
  | { moveTo: number }
  | { failed: Error }
  /** Not fetched yet: wait for it. */
  | null;

/** What a feed asks of the fan-out it belongs to. */
export interface FeedHost {
  cache: ChunkCache;
  /** A reader waits at an offset that may need fetching. */
  wanted(feed: PartitionFeed): void;
  /** The first and next offsets of the partition now, to place readers that fell out of its range. */
  offsetRange(topic: string, partition: number): Promise<{ earliest: number; latest: number }>;
}

/**
 * One partition as every direct WebSocket subscription reading it sees it: the chunks fetched
 * lately (in the shared cache's budget) and the offsets readers wait at. The fetchers fetch each
 * waited-for offset once, whatever the number of readers waiting there, and wake those readers
 * when it arrives; a reader without credit does not wait, so nothing is fetched for it.
 */
export class PartitionFeed implements ChunkOwner {
  /** Cached chunks, ordered by `from`. */
  private chunks: FeedChunk[] = [];
  private readonly waiters = new Map<FeedWaiter, number>();
  /** Readers waiting per offset: the distinct offsets to fetch. */
  private readonly wantedOffsets = new Map<number, number>();
  private readonly inFlight = new Set<number>();
  /** Offsets found out of range, and where their readers continue. */
  private readonly redirects = new Map<number, number>();
  private highWatermark = -1;
  private failure: Error | null = null;
  /** Subscriptions holding this feed. */
  references = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly host: FeedHost,
  ) {}

  get key(): string {
    return feedKey(this.topic, this.partition);
  }

  read(offset: number): FeedRead {
    if (this.failure) return { failed: this.failure };
    const redirect = this.redirects.get(offset);
    if (redirect !== undefined) return { moveTo: redirect };
    const chunk = this.chunkAt(offset);
    if (!chunk) return null;
    return { chunk, index: chunk.indexOf(offset) };
  }

  /** Records that `chunk` was read and grew by `addedBytes` (encodings), for the cache's recency and budget. */
  used(chunk: FeedChunk, addedBytes: number): void {
    this.host.cache.used(chunk, addedBytes);
  }

  /** `waiter` waits at `offset` (replacing where it waited before) until woken. */
  wait(waiter: FeedWaiter, offset: number): void {
    const before = this.waiters.get(waiter);
    if (before === offset) return;
    if (before !== undefined) this.forget(before);
    this.waiters.set(waiter, offset);
    this.wantedOffsets.set(offset, (this.wantedOffsets.get(offset) ?? 0) + 1);
    this.host.wanted(this);
  }

  unwait(waiter: FeedWaiter): void {
    const before = this.waiters.get(waiter);
    if (before === undefined) return;
    this.waiters.delete(waiter);
    this.forget(before);
  }

  /** The lowest offset readers wait at that `lane` should fetch now (not cached, not being fetched), if any. */
  nextFetch(lane: FetchLane): number | undefined {
    if (this.failure) return undefined;
    let next: number | undefined;
    for (const offset of this.wantedOffsets.keys()) {
      if (this.inFlight.has(offset) || this.redirects.has(offset) || this.chunkAt(offset)) continue;
      const laneOf: FetchLane = this.highWatermark >= 0 && offset >= this.highWatermark ? 'tail' : 'catch-up';
      if (laneOf === lane && (next === undefined || offset < next)) next = offset;
    }
    return next;
  }

  fetchStarted(offset: number): void {
    this.inFlight.add(offset);
  }

  /** A Fetch from `offset` was answered: its records become a chunk and the readers it covers read on. */
  fetched(offset: number, highWatermark: number, chunk: FeedChunk | null): void {
    this.inFlight.delete(offset);
    this.highWatermark = highWatermark;
    if (!chunk || this.chunkAt(offset)) {
      // nothing new: the offset may now belong to the other lane (it turned out to be the end)
      this.host.wanted(this);
      return;
    }
    // a chunk at the tail (the common case) goes last without a search; a search by `from` would
    // do too, but a scan was linear in the cached chunks: at a record per fetch, quadratic
    if (this.chunks.length === 0 || this.chunks[this.chunks.length - 1].from <= chunk.from) this.chunks.push(chunk);
    else this.chunks.splice(this.firstFromAfter(chunk.from), 0, chunk);
    this.host.cache.add(chunk, this);
    this.wakeWhere((waitingAt) => chunk.covers(waitingAt));
  }

  /** A Fetch from `offset` failed in a way worth retrying (connection, leader change): it may be fetched again. */
  fetchAbandoned(offset: number): void {
    this.inFlight.delete(offset);
    this.host.wanted(this);
  }

  /** The broker said `offset` is out of range: its readers move to the log start or end, whichever is nearer. */
  async outOfRange(offset: number): Promise<void> {
    try {
      const { earliest, latest } = await this.host.offsetRange(this.topic, this.partition);
      // held only while the readers waiting there read it; a later reader asks the broker again
      this.redirects.set(offset, offset < earliest ? earliest : latest);
      this.wakeWhere((waitingAt) => waitingAt === offset);
      this.redirects.delete(offset);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.inFlight.delete(offset);
    }
  }

  /** The partition cannot be read (deleted, not authorized): every reader learns it. */
  fail(error: Error): void {
    this.failure = error;
    this.wakeWhere(() => true);
  }

  evicted(chunk: FeedChunk): void {
    // the least recently read go first: usually the oldest, at the front (shift() does not move the rest)
    if (this.chunks[0] === chunk) {
      this.chunks.shift();
      return;
    }
    // chunks starting at the same offset (raced fetches) sit together, before firstFromAfter(from)
    for (let i = this.firstFromAfter(chunk.from) - 1; i >= 0 && this.chunks[i].from === chunk.from; i--) {
      if (this.chunks[i] === chunk) {
        this.chunks.splice(i, 1);
        return;
      }
    }
  }

  /** The feed is no longer read: its chunks leave the cache. */
  dispose(): void {
    for (const chunk of this.chunks) this.host.cache.remove(chunk);
    this.chunks = [];
    this.redirects.clear();
  }

  private chunkAt(offset: number): FeedChunk | undefined {
    // the last chunk starting at or before offset; chunks overlap only when fetches from nearby
    // offsets raced, so a few steps back suffice (a miss costs a fetch, not a wrong answer)
    const low = this.firstFromAfter(offset);
    for (let i = low - 1; i >= Math.max(0, low - LOOK_BACK_CHUNKS); i--) if (this.chunks[i].covers(offset)) return this.chunks[i];
    return undefined;
  }

  /** The index of the first chunk starting after `offset` (chunks.length when none does). */
  private firstFromAfter(offset: number): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.chunks[mid].from <= offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private forget(offset: number): void {
    const count = (this.wantedOffsets.get(offset) ?? 0) - 1;
    if (count > 0) this.wantedOffsets.set(offset, count);
    else this.wantedOffsets.delete(offset);
  }

  /** Wakes (and stops waiting) the readers whose offset matches; they wait again if they still need to. */
  private wakeWhere(matches: (offset: number) => boolean): void {
    const woken: FeedWaiter[] = [];
    for (const [waiter, offset] of this.waiters) if (matches(offset)) woken.push(waiter);
    for (const waiter of woken) this.unwait(waiter);
    for (const waiter of woken) {
      try {
        waiter.wake();
      } catch {
        // one reader's failure (it ends itself) must not keep the others waiting at a fetched offset
      }
    }
  }
}

export function feedKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
