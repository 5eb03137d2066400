import fc from 'fast-check';
import { encodeRecordBatch } from '@tributary/protocol';
import { ChunkCache } from './chunk-cache';
import { FeedChunk } from './feed-chunk';
import { PartitionFeed } from './partition-feed';

/** A chunk of `count` records from `from`, as a Fetch from `from` would make it. */
function chunkOf(from: number, count: number): FeedChunk {
  return FeedChunk.of('t', 0, from, encodeRecordBatch(Array.from({ length: count }, (_, i) => ({ value: `v${from + i}` })), { baseOffset: from }))!;
}

function feedWith(cache: ChunkCache): PartitionFeed {
  return new PartitionFeed('t', 0, { cache, wanted: () => undefined, offsetRange: async () => ({ earliest: 0, latest: 0 }) });
}

describe('PartitionFeed chunks', () => {
  it('whatever order fetches land in, every offset reads from a chunk holding it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 40 }).chain((sizes) => fc.tuple(fc.constant(sizes), fc.shuffledSubarray(sizes.map((_, i) => i), { minLength: sizes.length }))), ([sizes, order]) => {
        const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
        const feed = feedWith(new ChunkCache(1 << 30));
        for (const i of order) feed.fetched(starts[i], 1000, chunkOf(starts[i], sizes[i]));
        const end = starts[starts.length - 1] + sizes[sizes.length - 1];
        for (let offset = 0; offset < end; offset++) {
          const read = feed.read(offset);
          expect(read && 'chunk' in read ? read.chunk.records[read.index].value?.toString() : null).toBe(`v${offset}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a chunk the cache drops is no longer read, the oldest first, whichever the order they came in', () => {
    const one = chunkOf(0, 1).bytes;
    const feed = feedWith(new ChunkCache(one * 3));
    for (const from of [5, 0, 9, 3, 7]) feed.fetched(from, 1000, chunkOf(from, 1));
    // least recently added first out: 5 and 0 are gone, 9, 3 and 7 stay
    expect([0, 3, 5, 7, 9].map((offset) => feed.read(offset) !== null)).toEqual([false, true, false, true, true]);
  });
});
