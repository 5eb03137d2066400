import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH, BatchHeader, readBatchSize, readHeader, validateBatch } from './batch-header';
import { InvalidBatchError, invariant } from './errors';
import { OffsetIndex } from './offset-index';
import { TimeIndex } from './time-index';

const OFFSET_DIGITS = 20;
/** Recovery reads the log in chunks of this size (a batch larger than it is read whole). */
const RECOVERY_CHUNK_BYTES = 4 * 1024 * 1024;

export function segmentFileName(baseOffset: number, suffix: '.log' | '.index' | '.timeindex'): string {
  return String(baseOffset).padStart(OFFSET_DIGITS, '0') + suffix;
}

export function parseSegmentFileName(name: string): number | null {
  const match = /^(\d{20})\.log$/.exec(name);
  return match ? Number(match[1]) : null;
}

export interface RecoveryResult {
  validBytes: number;
  truncatedBytes: number;
  batches: number;
  /** Why the scan stopped before the end of the file, if it did. */
  stopReason: string | null;
}

/**
 * One `<baseOffset>.log` file and its two sparse indexes. Knows nothing of partitions or policies;
 * the PartitionLog decides when to roll, truncate or delete.
 */
export class LogSegment {
  private fd: number;
  private bytesSinceLastIndexEntry = 0;
  private syncsInFlight = 0;
  private closeWhenIdle = false;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Next offset after the last batch in this segment (baseOffset when empty). */
  nextOffset: number;
  maxTimestamp = -1;
  private readonly headerScratch = Buffer.allocUnsafe(BATCH.HEADER_SIZE);

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    public size: number,
    readonly createdAtMs: number,
    private readonly indexIntervalBytes: number,
  ) {
    this.fd = fs.openSync(this.logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    this.offsetIndex = new OffsetIndex(path.join(dir, segmentFileName(baseOffset, '.index')), baseOffset);
    this.timeIndex = new TimeIndex(path.join(dir, segmentFileName(baseOffset, '.timeindex')), baseOffset);
    this.nextOffset = baseOffset;
  }

  static create(dir: string, baseOffset: number, nowMs: number, indexIntervalBytes: number): LogSegment {
    const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    fs.writeFileSync(logPath, Buffer.alloc(0));
    for (const suffix of ['.index', '.timeindex'] as const) fs.writeFileSync(path.join(dir, segmentFileName(baseOffset, suffix)), Buffer.alloc(0));
    return new LogSegment(dir, baseOffset, 0, nowMs, indexIntervalBytes);
  }

  /** Opens an existing segment; call recover() or loadEnd() before appending. */
  static open(dir: string, baseOffset: number, indexIntervalBytes: number): LogSegment {
    const logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    const stat = fs.statSync(logPath);
    return new LogSegment(dir, baseOffset, stat.size, stat.mtimeMs, indexIntervalBytes);
  }

  get logPath(): string {
    return path.join(this.dir, segmentFileName(this.baseOffset, '.log'));
  }

  /**
   * Appends already validated batches (offsets assigned). `headers` give each batch's position
   * inside `bytes`. One write for the whole chunk; index entries every index.interval.bytes.
   */
  append(bytes: Buffer, headers: readonly BatchHeader[]): void {
    invariant(headers.length > 0 && headers[0].baseOffset >= this.nextOffset, 'segment appends must move forward');
    const startPosition = this.size;
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written, startPosition + written);
    for (const header of headers) this.indexBatch(header, startPosition + header.position);
    this.size = startPosition + bytes.length;
    this.nextOffset = headers[headers.length - 1].lastOffset + 1;
  }

  /** Reads `length` bytes at `position` (fewer at the end of the file), into `into` when it fits. */
  readBytes(position: number, length: number, into?: Buffer): Buffer {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    const out = into !== undefined && into.length >= wanted ? into.subarray(0, wanted) : Buffer.allocUnsafe(wanted);
    let done = 0;
    while (done < wanted) {
      const n = fs.readSync(this.fd, out, done, wanted - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done === wanted ? out : out.subarray(0, done);
  }

  /** Header of the batch at `position`, or null past the end / on a torn header. */
  headerAt(position: number): BatchHeader | null {
    if (position + BATCH.HEADER_SIZE > this.size) return null;
    const n = fs.readSync(this.fd, this.headerScratch, 0, BATCH.HEADER_SIZE, position);
    if (n < BATCH.HEADER_SIZE) return null;
    const header = readHeader(this.headerScratch, 0);
    header.position = position;
    return header;
  }

  /**
   * The first batch whose last offset is >= `offset`, found from the sparse index plus a bounded
   * forward scan (about index.interval.bytes of headers). Null when past the end.
   */
  findBatch(offset: number): BatchHeader | null {
    let position = this.offsetIndex.lookup(offset).position;
    while (position < this.size) {
      const header = this.headerAt(position);
      if (header === null) return null;
      if (header.lastOffset >= offset) return header;
      position += header.sizeInBytes;
    }
    return null;
  }

  /** The first batch whose max timestamp is >= `timestamp`, or null. */
  findBatchByTimestamp(timestamp: number): BatchHeader | null {
    if (this.maxTimestamp < timestamp) return null;
    const start = this.findBatch(this.timeIndex.lookup(timestamp));
    let position = start?.position ?? this.size;
    while (position < this.size) {
      const header = this.headerAt(position);
      if (header === null) return null;
      if (header.maxTimestamp >= timestamp) return header;
      position += header.sizeInBytes;
    }
    return null;
  }

  /**
   * Scans every batch, checking structure and CRC, rebuilds both indexes, and truncates the file
   * after the last valid batch. Never leaves a corrupt batch readable.
   */
  recover(maxBatchBytes: number, allowOffsetGaps = false): RecoveryResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    const fileSize = this.size;
    let position = 0;
    let batches = 0;
    let stopReason: string | null = null;
    scan: while (position < fileSize) {
      let chunk = this.readBytes(position, Math.min(RECOVERY_CHUNK_BYTES, fileSize - position));
      let at = 0;
      while (chunk.length - at >= BATCH.LOG_OVERHEAD) {
        const size = readBatchSize(chunk, at);
        if (size > chunk.length - at && at > 0) break; // spills over: continue from a fresh chunk
        if (size > chunk.length && size >= BATCH.HEADER_SIZE && size <= maxBatchBytes && position + size <= fileSize) {
          chunk = this.readBytes(position, size); // one batch bigger than a chunk
        }
        try {
          const header = validateBatch(chunk, at, maxBatchBytes);
          // Outside the CRC, the base offset is checked by contiguity (gaps exist only after compaction).
          if (allowOffsetGaps ? header.baseOffset < this.nextOffset : header.baseOffset !== this.nextOffset) {
            throw new InvalidBatchError('invalid-offset-delta', at, `batch offset ${header.baseOffset} where ${this.nextOffset} was expected`);
          }
          this.indexBatch(header, position + at);
          at += header.sizeInBytes;
          batches++;
        } catch (error) {
          if (!(error instanceof InvalidBatchError)) throw error;
          stopReason = `${error.reason} at byte ${position + at}: ${error.message}`;
          position += at;
          break scan;
        }
      }
      position += at;
      if (at === 0) {
        stopReason = `torn batch header at byte ${position}`;
        break;
      }
    }
    this.size = position;
    if (position < fileSize) fs.ftruncateSync(this.fd, position);
    return { validBytes: position, truncatedBytes: fileSize - position, batches, stopReason };
  }

  /**
   * Rebuilds both indexes from the headers of every batch of the file, in order, positions set:
   * for a file whose batches the caller wrote itself (the cleaner's output), so nothing is read
   * back; recover() reads and checks every byte (~1 ms per MiB, on the broker's thread).
   */
  indexKnownBatches(headers: readonly BatchHeader[]): void {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestamp = -1;
    this.nextOffset = this.baseOffset;
    for (const header of headers) this.indexBatch(header, header.position);
  }

  /**
   * After a clean shutdown: trusts the index and scans only from its last entry to the end of the
   * file to find the next offset. Falls back to recover() if anything looks wrong.
   */
  loadEnd(maxBatchBytes: number): void {
    if (!this.offsetIndex.isSane(this.size)) {
      this.recover(maxBatchBytes, true);
      return;
    }
    const last = this.offsetIndex.lastEntry();
    let position = last?.position ?? 0;
    let next = this.baseOffset;
    while (position < this.size) {
      const header = this.headerAt(position);
      if (header === null || header.sizeInBytes < BATCH.HEADER_SIZE || position + header.sizeInBytes > this.size) {
        this.recover(maxBatchBytes, true);
        return;
      }
      next = header.lastOffset + 1;
      this.bytesSinceLastIndexEntry += header.sizeInBytes;
      position += header.sizeInBytes;
    }
    this.nextOffset = next;
    this.maxTimestamp = this.timeIndex.lastEntry()?.timestamp ?? -1;
  }

  /**
   * Removes every batch whose last offset is >= `offset` (a batch containing `offset` goes whole).
   * Returns the new next offset.
   */
  truncateTo(offset: number): number {
    const batch = this.findBatch(offset);
    if (batch === null) return this.nextOffset;
    fs.ftruncateSync(this.fd, batch.position);
    this.size = batch.position;
    this.offsetIndex.truncateTo(batch.baseOffset);
    this.timeIndex.truncateTo(batch.baseOffset);
    this.nextOffset = batch.baseOffset;
    this.maxTimestamp = this.timeIndex.lastEntry()?.timestamp ?? -1;
    this.bytesSinceLastIndexEntry = this.indexIntervalBytes; // index the next append
    return this.nextOffset;
  }

  /** Writes the final time-index entry so a reopen knows the segment's max timestamp. */
  seal(): void {
    this.offsetIndex.flushPending();
    this.timeIndex.flushPending();
    if (this.maxTimestamp >= 0 && this.nextOffset > this.baseOffset) {
      const last = this.timeIndex.lastEntry();
      if (last === null || last.timestamp < this.maxTimestamp) {
        const batch = this.findBatchByTimestamp(this.maxTimestamp);
        if (batch !== null) this.timeIndex.maybeAppend(this.maxTimestamp, batch.baseOffset);
      }
    }
  }

  /** fdatasync of the log file (async, on the libuv pool) and the indexes. */
  async flush(): Promise<void> {
    if (this.fd < 0) return;
    this.syncsInFlight++;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
      this.offsetIndex.flush();
      this.timeIndex.flush();
    } finally {
      this.syncsInFlight--;
      if (this.syncsInFlight === 0 && this.closeWhenIdle) this.closeNow();
    }
  }

  flushSync(): void {
    fs.fdatasyncSync(this.fd);
    this.offsetIndex.flush();
    this.timeIndex.flush();
  }

  close(): void {
    if (this.syncsInFlight > 0) this.closeWhenIdle = true;
    else this.closeNow();
  }

  /** Closes and removes the segment's three files. */
  delete(): void {
    this.close();
    for (const suffix of ['.log', '.index', '.timeindex'] as const) {
      fs.rmSync(path.join(this.dir, segmentFileName(this.baseOffset, suffix)), { force: true });
    }
  }

  private closeNow(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  private indexBatch(header: BatchHeader, position: number): void {
    if (this.bytesSinceLastIndexEntry >= this.indexIntervalBytes || position === 0) {
      this.offsetIndex.append(header.baseOffset, position);
      this.bytesSinceLastIndexEntry = 0;
    }
    if (header.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = header.maxTimestamp;
      if (this.bytesSinceLastIndexEntry === 0) this.timeIndex.maybeAppend(header.maxTimestamp, header.baseOffset);
    }
    this.bytesSinceLastIndexEntry += header.sizeInBytes;
    this.nextOffset = header.lastOffset + 1;
  }
}
