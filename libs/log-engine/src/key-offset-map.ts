const SHARDS = 64;

/**
 * The cleaner's map from a record key (its bytes as a latin1 string) to the offset of the key's
 * latest record, in 64 shards. A JS Map grows by rehashing every entry at once: with ~800k keys one
 * growth held the event loop ~40 ms in a single step, which no slicing of the clean can split. The
 * shards grow one at a time, each holding ~1/64 of the keys.
 */
export class KeyOffsetMap {
  private readonly shards: Map<string, number>[] = Array.from({ length: SHARDS }, () => new Map());
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): number | undefined {
    return this.shards[shardOf(key)].get(key);
  }

  set(key: string, offset: number): void {
    const shard = this.shards[shardOf(key)];
    const before = shard.size;
    shard.set(key, offset);
    this.count += shard.size - before;
  }
}

/** FNV-1a over the key's characters; its top 6 bits pick the shard. */
function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 26;
}
