import type { FeedChunk } from './feed-chunk';

/** What the cache tells a feed when it drops one of its chunks. */
export interface ChunkOwner {
  evicted(chunk: FeedChunk): void;
}

/**
 * The byte budget of every partition feed's chunks together, least recently read first out. A
 * chunk that is dropped is fetched again when a reader still needs it, so the budget bounds the
 * gateway's memory for records whatever the number of subscribers, partitions or positions.
 */
export class ChunkCache {
  /** Chunks in order of last use, oldest first (a Map keeps insertion order). */
  private readonly chunks = new Map<FeedChunk, ChunkOwner>();
  private total = 0;

  constructor(readonly budgetBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  add(chunk: FeedChunk, owner: ChunkOwner): void {
    this.chunks.set(chunk, owner);
    this.total += chunk.bytes;
    this.evictBeyondBudget(chunk);
  }

  /** `chunk` was read: it becomes the most recently used; `addedBytes` it grew by (encodings) are counted. */
  used(chunk: FeedChunk, addedBytes: number): void {
    const owner = this.chunks.get(chunk);
    if (!owner) return;
    this.chunks.delete(chunk);
    this.chunks.set(chunk, owner);
    if (addedBytes === 0) return;
    this.total += addedBytes;
    this.evictBeyondBudget(chunk);
  }

  remove(chunk: FeedChunk): void {
    if (this.chunks.delete(chunk)) this.total -= chunk.bytes;
  }

  /** Drops the least recently used chunks until the total fits, never `keep` (the one being read now). */
  private evictBeyondBudget(keep: FeedChunk): void {
    // bounded: every pass removes one chunk
    for (const [chunk, owner] of this.chunks) {
      if (this.total <= this.budgetBytes) return;
      if (chunk === keep) continue;
      this.chunks.delete(chunk);
      this.total -= chunk.bytes;
      owner.evicted(chunk);
    }
  }
}
