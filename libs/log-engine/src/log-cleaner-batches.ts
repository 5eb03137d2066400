import { BATCH, BatchHeader, readBatchSize, readHeader } from './batch-header';
import { LogSegment } from './segment';

/** Bytes the cleaner reads from a segment at a time: few reads, bounded memory. */
const CHUNK_BYTES = 1 << 20;

/**
 * Visits every batch of a segment in order, reading it in chunks of about 1 MiB (one read per
 * chunk instead of two per batch). `bytes` is the whole batch, a view of a chunk that is never
 * reused, so a visitor may keep it.
 */
export function forEachBatch(segment: LogSegment, visit: (header: BatchHeader, bytes: Buffer) => void): void {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0;
  let position = 0;
  // bounded: each step moves past one whole batch, or stops
  while (position + BATCH.HEADER_SIZE <= segment.size) {
    let at = position - chunkStart;
    if (at + BATCH.HEADER_SIZE > chunk.length) {
      chunk = segment.readBytes(position, CHUNK_BYTES);
      chunkStart = position;
      at = 0;
      if (chunk.length < BATCH.HEADER_SIZE) return;
    }
    const size = readBatchSize(chunk, at);
    if (size < BATCH.HEADER_SIZE) return;
    if (at + size > chunk.length) {
      chunk = segment.readBytes(position, Math.max(size, CHUNK_BYTES));
      chunkStart = position;
      at = 0;
      if (chunk.length < size) return;
    }
    const header = readHeader(chunk, at);
    header.position = position;
    visit(header, chunk.subarray(at, at + size));
    position += size;
  }
}
