import { BATCH, BatchHeader, readBatchSize, readHeader } from './batch-header';
import { LogError } from './errors';
import { CleanerPacer } from './log-cleaner-pacer';
import { LogSegment } from './segment';

/**
 * A segment the cleaner cannot read whole: shorter on disk than the log believes, or a batch
 * whose length field is impossible. The cleaner stops rather than rewrite what it could read,
 * which would silently drop the rest of the segment.
 */
export class UnreadableSegmentError extends LogError {
  constructor(
    readonly segmentPath: string,
    readonly position: number,
    detail: string,
  ) {
    super(`cannot clean ${segmentPath}: ${detail} at byte ${position}`);
  }
}

/** Bytes the cleaner reads from a segment at a time: few reads, bounded memory. */
const CHUNK_BYTES = 1 << 20;

/**
 * Visits every batch of a segment in order, reading it in chunks of about 1 MiB (one read per
 * chunk instead of two per batch). `bytes` is the whole batch, a view of a chunk that is never
 * reused, so a visitor may keep it. Throws UnreadableSegmentError when the segment's bytes end
 * before its known size or hold an impossible batch length. Between batches it yields to the
 * event loop when the pacer says so; the pacer throws there if the log changed meanwhile, so
 * no read ever touches a segment the log has let go of.
 */
export async function forEachBatch(segment: LogSegment, pacer: CleanerPacer, visit: (header: BatchHeader, bytes: Buffer) => void): Promise<void> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0;
  let position = 0;
  const unreadable = (detail: string) => new UnreadableSegmentError(segment.logPath, position, detail);
  // bounded: each step moves past one whole batch, or throws
  while (position < segment.size) {
    if (position + BATCH.HEADER_SIZE > segment.size) throw unreadable(`${segment.size - position} trailing bytes, less than a batch header`);
    let at = position - chunkStart;
    if (at + BATCH.HEADER_SIZE > chunk.length) {
      chunk = segment.readBytes(position, CHUNK_BYTES);
      chunkStart = position;
      at = 0;
      if (chunk.length < BATCH.HEADER_SIZE) throw unreadable(`file ends early (${position + chunk.length} of ${segment.size} bytes)`);
    }
    const size = readBatchSize(chunk, at);
    if (size < BATCH.HEADER_SIZE || position + size > segment.size) throw unreadable(`impossible batch length ${size}`);
    if (at + size > chunk.length) {
      chunk = segment.readBytes(position, Math.max(size, CHUNK_BYTES));
      chunkStart = position;
      at = 0;
      if (chunk.length < size) throw unreadable(`file ends early (${position + chunk.length} of ${segment.size} bytes)`);
    }
    const header = readHeader(chunk, at);
    header.position = position;
    visit(header, chunk.subarray(at, at + size));
    position += size;
    if (pacer.spend(size)) await pacer.yield();
  }
}
