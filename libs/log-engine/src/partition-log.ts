import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  BATCH,
  BatchHeader,
  readBatchSize,
  readHeader,
  readInt64,
  stampLogAppendTime,
  validateBatch,
  validateProducedBatch,
  writeBaseOffset,
  writePartitionLeaderEpoch,
} from './batch-header';
import { readOffsetCheckpoint, syncDirectory, writeOffsetCheckpoint } from './checkpoint';
import { InvalidBatchError, LogClosedError, NonContiguousAppendError, OffsetOutOfRangeError, invariant } from './errors';
import { LeaderEpochCache } from './leader-epoch-cache';
import { Clock, LogConfig, logConfig, systemClock } from './log-config';
import { BatchCodec, decodeRecords } from './records';
import { LogSegment, RecoveryResult, parseSegmentFileName, segmentFileName } from './segment';

export const RECOVERY_POINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_FILE = 'log-start-offset-checkpoint';
export const LEADER_EPOCH_FILE = 'leader-epoch-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
/** Suffix of the files of a segment compaction replaced, until they are removed (see retireSegment). */
const DELETED_SUFFIX = '.deleted';

export interface AppendInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** The broker's append time when message.timestamp.type=LogAppendTime, else -1. */
  logAppendTimeMs: number;
  batchCount: number;
  bytes: number;
}

export interface ReadResult {
  /** Whole batches, as stored: ready to be written to a socket. Empty when nothing qualifies. */
  records: Buffer;
  logStartOffset: number;
  logEndOffset: number;
}

export interface RecoveryReport {
  cleanShutdown: boolean;
  segmentsScanned: number;
  bytesTruncated: number;
  segmentsDeleted: number;
  /** First problem met while scanning, e.g. "corrupt-crc at byte 4096". */
  stopReason: string | null;
}

export interface PartitionLogOptions {
  config?: Partial<LogConfig>;
  clock?: Clock;
  /** Decodes compressed batches for timestamp lookups and compaction. */
  batchCodec?: BatchCodec;
}

/** The offset a reader asks for next, and where it starts in which segment. */
interface ReadEnd {
  offset: number;
  segment: LogSegment;
  position: number;
  truncations: number;
}
/** Readers whose next read starts without a lookup: one per consumer or follower tailing the log. */
const READ_ENDS = 8;

/**
 * One partition's log: an ordered list of segments, the log start and end offsets, the recovery
 * point, the leader-epoch cache and the flush policy (group commit). The append and read paths look
 * only at batch headers. Not thread-safe by design: one partition is driven by one event loop.
 */
export class PartitionLog {
  private segments: LogSegment[] = [];
  private startOffset = 0;
  private flushedOffset = 0;
  /** The recovery point on disk (-1: not known to be written). */
  private checkpointedRecoveryPoint = -1;
  private unflushedRecords = 0;
  private lastFlushMs: number;
  private flushing = false;
  private flushWaiters: { offset: number; resolve: () => void; reject: (error: Error) => void }[] = [];
  private fatal: Error | null = null;
  /** A segment file was created since the directory was last fsync'ed. */
  private directoryDirty = false;
  private closed = false;
  private truncations = 0;
  /**
   * Where recent reads ended. A consumer or follower at the log end asks next for the offset its
   * last read ended at; its read starts at the remembered position instead of finding it through
   * the sparse index and a scan of batch headers (two to four more reads of the file per fetch).
   * An entry holds while its segment is the one at that offset and no truncation happened.
   */
  private readEnds: ReadEnd[] = [];
  private nextReadEndSlot = 0;
  private currentConfig: LogConfig;
  readonly leaderEpochs: LeaderEpochCache;
  readonly recovery: RecoveryReport;
  private readonly clock: Clock;
  private readonly batchCodec: BatchCodec | undefined;

  private constructor(
    readonly dir: string,
    options: PartitionLogOptions,
  ) {
    this.currentConfig = logConfig(options.config);
    this.clock = options.clock ?? systemClock;
    this.batchCodec = options.batchCodec;
    this.lastFlushMs = this.clock.nowMs();
    fs.mkdirSync(dir, { recursive: true });
    this.leaderEpochs = new LeaderEpochCache(path.join(dir, LEADER_EPOCH_FILE));
    this.recovery = this.load();
  }

  /** Opens (or creates) the log in `dir`, recovering after an unclean stop. */
  static open(dir: string, options: PartitionLogOptions = {}): PartitionLog {
    return new PartitionLog(dir, options);
  }

  get config(): LogConfig {
    return this.currentConfig;
  }

  /** Applies changed topic configs (retention, segment size, flush policy...) from now on. */
  reconfigure(overrides: Partial<LogConfig>): void {
    this.currentConfig = logConfig(overrides);
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.activeSegment.nextOffset;
  }

  /** Every offset below it is on disk (fdatasync done). */
  get recoveryPoint(): number {
    return this.flushedOffset;
  }

  get sizeInBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /**
   * Appends batches sent by a producer: validates every batch (structure, CRC, counts, size),
   * then assigns offsets by patching each batch's base offset and leader epoch in place (and its
   * max timestamp + CRC under LogAppendTime). Throws InvalidBatchError and writes nothing if any
   * batch is bad. `records` is modified in place and must not be reused by the caller.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number): AppendInfo {
    this.ensureWritable();
    const headers = this.validate(records, true);
    const nowMs = this.clock.nowMs();
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    let nextOffset = this.logEndOffset;
    for (const header of headers) {
      const delta = header.lastOffset - header.baseOffset;
      writeBaseOffset(records, header.position, nextOffset);
      writePartitionLeaderEpoch(records, header.position, leaderEpoch);
      if (logAppendTime) {
        stampLogAppendTime(records, header.position, header.sizeInBytes, nowMs);
        header.maxTimestamp = nowMs;
      }
      header.baseOffset = nextOffset;
      header.lastOffset = nextOffset + delta;
      nextOffset = header.lastOffset + 1;
    }
    this.leaderEpochs.assign(leaderEpoch, headers[0].baseOffset);
    return this.appendValidated(records, headers, logAppendTime ? nowMs : -1);
  }

  /**
   * Appends batches replicated from the leader, offsets as given. The first batch must start at
   * the log end offset (gaps are allowed only on compacted logs, where the cleaner removes batches).
   */
  appendAsFollower(records: Buffer): AppendInfo {
    this.ensureWritable();
    const headers = this.validate(records, false);
    const first = headers[0].baseOffset;
    const compacted = this.config.cleanupPolicy.includes('compact');
    if (compacted ? first < this.logEndOffset : first !== this.logEndOffset) {
      throw new NonContiguousAppendError(this.logEndOffset, first);
    }
    for (const header of headers) {
      const epoch = records.readInt32BE(header.position + BATCH.PARTITION_LEADER_EPOCH);
      if (epoch > this.leaderEpochs.latestEpoch) this.leaderEpochs.assign(epoch, header.baseOffset);
    }
    return this.appendValidated(records, headers, -1);
  }

  /**
   * Whole batches from the one holding `fromOffset`, at most `maxBytes` (but at least one batch,
   * so a large batch never blocks a consumer), containing only batches that end below
   * `upToOffset` (the high watermark for consumers; the log end for followers). With `into`, the
   * bytes land in that buffer when they fit (a reader that reuses one buffer allocates nothing);
   * the result is then a view of it, valid until the caller reuses it.
   */
  read(fromOffset: number, maxBytes: number, upToOffset: number = this.logEndOffset, into?: Buffer): ReadResult {
    this.ensureOpen();
    const logEndOffset = this.logEndOffset;
    const empty = { records: Buffer.alloc(0), logStartOffset: this.startOffset, logEndOffset };
    if (fromOffset < this.startOffset || fromOffset > logEndOffset) {
      throw new OffsetOutOfRangeError(fromOffset, this.startOffset, logEndOffset);
    }
    const limit = Math.min(upToOffset, logEndOffset);
    if (fromOffset >= limit) return empty;
    for (let i = this.segmentIndexFor(fromOffset); i < this.segments.length; i++) {
      const segment = this.segments[i];
      const known = this.readEndAt(fromOffset, segment);
      if (known >= 0) return this.readFrom(segment, this.readEnds[known].position, BATCH.HEADER_SIZE, maxBytes, limit, into, known);
      const first = segment.findBatch(fromOffset);
      if (first === null) continue;
      if (first.lastOffset >= limit) return empty;
      return this.readFrom(segment, first.position, first.sizeInBytes, maxBytes, limit, into, -1);
    }
    return empty;
  }

  /**
   * The whole batches below `limit` from `position` of `segment`: at most maxBytes, but the first
   * batch whole however large, so a large batch never blocks a consumer (`firstBytes` is its size
   * when known, else a header's worth is read first). Where the read ends is remembered.
   */
  private readFrom(segment: LogSegment, position: number, firstBytes: number, maxBytes: number, limit: number, into: Buffer | undefined, slot: number): ReadResult {
    const available = segment.size - position;
    let bytes = segment.readBytes(position, Math.min(Math.max(firstBytes, maxBytes), available), into);
    if (bytes.length >= BATCH.HEADER_SIZE && readBatchSize(bytes, 0) > bytes.length) bytes = segment.readBytes(position, Math.min(readBatchSize(bytes, 0), available), into);
    const whole = wholeBatchesBelow(bytes, limit);
    if (whole.bytes > 0) this.rememberReadEnd(slot, whole.nextOffset, segment, position + whole.bytes);
    return { records: bytes.subarray(0, whole.bytes), logStartOffset: this.startOffset, logEndOffset: this.logEndOffset };
  }

  /** The slot of a read that ended at `offset` in `segment` with more of the segment after it, or -1. */
  private readEndAt(offset: number, segment: LogSegment): number {
    for (let i = 0; i < this.readEnds.length; i++) {
      const end = this.readEnds[i];
      if (end.offset === offset && end.segment === segment && end.truncations === this.truncations && end.position < segment.size) return i;
    }
    return -1;
  }

  /** A reader's next read is expected at `offset`: it takes over the slot its last read used, or the oldest. */
  private rememberReadEnd(slot: number, offset: number, segment: LogSegment, position: number): void {
    const end = { offset, segment, position, truncations: this.truncations };
    if (slot >= 0) this.readEnds[slot] = end;
    else if (this.readEnds.length < READ_ENDS) this.readEnds.push(end);
    else this.readEnds[this.nextReadEndSlot++ % READ_ENDS] = end;
  }

  /**
   * Visits the headers of every batch from the one holding `fromOffset` to the log end, in order,
   * reading only headers (61 bytes each). For rebuilding state such as producer sequences.
   */
  forEachBatchHeader(fromOffset: number, visit: (header: BatchHeader, producer: { producerId: number; producerEpoch: number; baseSequence: number }) => void): number {
    this.ensureOpen();
    let visited = 0;
    const start = Math.max(fromOffset, this.startOffset);
    for (let i = this.segmentIndexFor(start); i < this.segments.length; i++) {
      const segment = this.segments[i];
      let position = segment.findBatch(start)?.position ?? segment.size;
      while (position < segment.size) {
        const bytes = segment.readBytes(position, BATCH.HEADER_SIZE);
        if (bytes.length < BATCH.HEADER_SIZE) break;
        const header = readHeader(bytes, 0);
        header.position = position;
        visit(header, {
          producerId: Number(bytes.readBigInt64BE(BATCH.PRODUCER_ID)),
          producerEpoch: bytes.readInt16BE(BATCH.PRODUCER_EPOCH),
          baseSequence: bytes.readInt32BE(BATCH.BASE_SEQUENCE),
        });
        visited++;
        position += header.sizeInBytes;
      }
    }
    return visited;
  }

  /**
   * The first offset whose record timestamp is >= `timestamp` (ListOffsets by time), with that
   * record's timestamp; null when every record is older.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    for (const segment of this.segments) {
      const batch = segment.findBatchByTimestamp(timestamp);
      if (batch === null) continue;
      if ((batch.attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0) {
        return { offset: Math.max(batch.baseOffset, this.startOffset), timestamp: batch.maxTimestamp };
      }
      const bytes = segment.readBytes(batch.position, batch.sizeInBytes);
      const compressed = (batch.attributes & ATTR_COMPRESSION_MASK) !== 0;
      if (compressed && this.batchCodec === undefined) return { offset: Math.max(batch.baseOffset, this.startOffset), timestamp: batch.maxTimestamp };
      const records = compressed ? (this.batchCodec as BatchCodec).decodeRecords(bytes) : decodeRecords(bytes);
      const hit = records.find((r) => r.timestamp >= timestamp && r.offset >= this.startOffset);
      if (hit) return { offset: hit.offset, timestamp: hit.timestamp };
    }
    return null;
  }

  /**
   * Removes everything at or after `offset` (a follower diverging from its leader). A batch that
   * straddles `offset` is removed whole.
   */
  truncateTo(offset: number): void {
    this.ensureWritable();
    if (offset >= this.logEndOffset) return;
    if (offset <= this.segments[0].baseOffset || offset < this.startOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) {
      (this.segments.pop() as LogSegment).delete();
    }
    this.activeSegment.truncateTo(offset);
    // A removed straddling batch may reach below the log start: keep start <= end by restarting there.
    if (this.logEndOffset < this.startOffset) this.truncateFullyAndStartAt(this.startOffset);
    else this.afterTruncation();
  }

  /** Drops every segment and restarts the log, empty, at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureWritable();
    for (const segment of this.segments) segment.delete();
    this.segments = [LogSegment.create(this.dir, offset, this.clock.nowMs(), this.config.indexIntervalBytes)];
    this.directoryDirty = true;
    this.startOffset = offset;
    writeOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE), offset);
    this.leaderEpochs.clear();
    this.afterTruncation();
  }

  /**
   * Moves the log start offset forward (DeleteRecords, retention): offsets below it become
   * unreadable at once; whole segments below it are deleted.
   */
  advanceLogStartOffset(offset: number): void {
    this.ensureWritable();
    if (offset <= this.startOffset) return;
    if (offset > this.logEndOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.logEndOffset);
    this.startOffset = offset;
    writeOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE), offset);
    this.leaderEpochs.truncateFromStart(offset);
    this.deleteSegmentsBelow(offset);
  }

  /**
   * Retention by time and size: deletes the oldest segments whose newest record is older than
   * retention.ms, and the oldest while the log is over retention.bytes. The active segment is
   * rolled first when it is itself expired. Returns how many segments were deleted.
   */
  applyRetention(): number {
    this.ensureWritable();
    if (!this.config.cleanupPolicy.includes('delete')) return 0;
    const nowMs = this.clock.nowMs();
    let deleted = 0;
    const expired = (s: LogSegment) => this.config.retentionMs >= 0 && s.size > 0 && s.maxTimestamp >= 0 && nowMs - s.maxTimestamp > this.config.retentionMs;
    if (this.segments.every(expired)) this.roll();
    while (this.segments.length > 1 && expired(this.segments[0])) {
      deleted += this.deleteOldest();
    }
    if (this.config.retentionBytes >= 0) {
      let size = this.sizeInBytes;
      while (this.segments.length > 1 && size - this.segments[0].size >= this.config.retentionBytes) {
        size -= this.segments[0].size;
        deleted += this.deleteOldest();
      }
    }
    return deleted;
  }

  /** Starts a new active segment at the log end offset (no-op when the active one is empty). */
  roll(): void {
    this.ensureWritable();
    const active = this.activeSegment;
    if (active.size === 0) return;
    active.seal();
    this.segments.push(LogSegment.create(this.dir, active.nextOffset, this.clock.nowMs(), this.config.indexIntervalBytes));
    this.directoryDirty = true;
  }

  /**
   * Group commit: resolves once every offset below `offset` (default: the current log end) is
   * fdatasync'ed. Appends that arrive while an fsync runs share the next one.
   */
  flush(offset: number = this.logEndOffset): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (offset <= this.flushedOffset || this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ offset, resolve, reject });
      this.startFlush();
    });
  }

  /** Runs the flush.ms policy; the log manager calls it on its scheduler. */
  maybeFlushByTime(): void {
    if (this.logEndOffset > this.flushedOffset && this.clock.nowMs() - this.lastFlushMs >= this.config.flushMs) this.startFlush();
  }

  /** Persists the recovery point so the next unclean open scans only past it. */
  checkpointRecoveryPoint(): void {
    // unchanged since the last write: nothing to persist (the log manager checkpoints every log each
    // minute, and an fsync'ed rewrite of every idle partition's file stalled the event loop ~100 ms)
    if (this.closed || this.flushedOffset === this.checkpointedRecoveryPoint) return;
    writeOffsetCheckpoint(path.join(this.dir, RECOVERY_POINT_FILE), this.flushedOffset);
    this.checkpointedRecoveryPoint = this.flushedOffset;
  }

  /** Clean stop: flush everything, write checkpoints and the clean-shutdown marker. */
  close(): void {
    if (this.closed) return;
    const active = this.activeSegment;
    active.seal();
    for (const segment of this.segments) if (segment.nextOffset > this.flushedOffset || segment === active) segment.flushSync();
    this.flushedOffset = this.logEndOffset;
    this.checkpointRecoveryPoint();
    writeOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE), this.startOffset);
    fs.writeFileSync(path.join(this.dir, CLEAN_SHUTDOWN_FILE), '');
    syncDirectory(this.dir);
    this.closeSegments();
  }

  /** Closes the log and removes its directory. */
  delete(): void {
    this.closeSegments();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** For the cleaner: the segments that may be rewritten (all but the active one). */
  inactiveSegments(): readonly LogSegment[] {
    return this.segments.slice(0, -1);
  }

  /**
   * For the cleaner: swaps `old` (consecutive inactive segments) for one new segment holding
   * `batches` (offsets preserved). Crash-safe: the new file is written as `.cleaned`, renamed to
   * `.swap`, the old segments are deleted, then `.swap` becomes `.log`; open() finishes a swap.
   */
  replaceSegments(old: readonly LogSegment[], batches: Buffer): LogSegment {
    this.ensureWritable();
    writeDurably(this.cleanedSegmentPath(old[0]), batches);
    return this.swapInCleanedSegment(old);
  }

  /** Where the cleaner writes (durably) the rewrite of segments starting with `first`. */
  cleanedSegmentPath(first: LogSegment): string {
    return `${path.join(this.dir, segmentFileName(first.baseOffset, '.log'))}.cleaned`;
  }

  /**
   * Whether `segments` are still inactive segments of this open log, as they were when a clean
   * read them (same objects, so the same files, same size and end), and no truncation happened
   * since `truncations` was read. Cleaned data may replace them only while this holds.
   */
  stillHoldsForCleaning(segments: readonly { segment: LogSegment; size: number; nextOffset: number }[], truncations: number): boolean {
    if (this.closed || this.fatal || truncations !== this.truncations) return false;
    const inactive = new Set(this.inactiveSegments());
    return segments.every(({ segment, size, nextOffset }) => inactive.has(segment) && segment.size === size && segment.nextOffset === nextOffset);
  }

  /** How many truncations this log has seen since it was opened (a clean in flight watches it). */
  get truncationCount(): number {
    return this.truncations;
  }

  /**
   * Swaps `old` (consecutive inactive segments) for the file written at cleanedSegmentPath:
   * renamed to `.swap`, the old segments deleted, then `.swap` becomes `.log` (open() finishes
   * a swap a crash interrupted). Returns the new segment. With `headers` (every batch of the
   * file, positioned) its indexes are built from them instead of reading the file back.
   */
  swapInCleanedSegment(old: readonly LogSegment[], headers?: readonly BatchHeader[]): LogSegment {
    this.ensureWritable();
    invariant(old.length > 0 && !old.includes(this.activeSegment), 'only inactive segments can be replaced');
    const first = this.segments.indexOf(old[0]);
    invariant(first >= 0 && old.every((s, i) => this.segments[first + i] === s), 'replaced segments must be consecutive');
    const baseOffset = old[0].baseOffset;
    const logName = path.join(this.dir, segmentFileName(baseOffset, '.log'));
    fs.renameSync(this.cleanedSegmentPath(old[0]), `${logName}.swap`);
    syncDirectory(this.dir);
    for (const segment of old) retireSegment(segment, this.dir);
    fs.renameSync(`${logName}.swap`, logName);
    syncDirectory(this.dir);
    const replacement = LogSegment.open(this.dir, baseOffset, this.config.indexIntervalBytes);
    if (headers === undefined) replacement.recover(Number.MAX_SAFE_INTEGER, true);
    else replacement.indexKnownBatches(headers);
    replacement.seal();
    replacement.nextOffset = this.segments[first + old.length].baseOffset;
    this.segments.splice(first, old.length, replacement);
    return replacement;
  }

  private get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  private validate(records: Buffer, produced: boolean): BatchHeader[] {
    const headers: BatchHeader[] = [];
    let position = 0;
    // bounded: every iteration consumes at least one batch header (61 bytes) or throws
    while (position < records.length) {
      const header = validateBatch(records, position, this.config.maxMessageBytes);
      if (produced) validateProducedBatch(header);
      else if (headers.length > 0 && header.baseOffset <= headers[headers.length - 1].lastOffset) {
        throw new InvalidBatchError('invalid-offset-delta', position, 'batch offsets must increase');
      }
      headers.push(header);
      position += header.sizeInBytes;
    }
    if (headers.length === 0) throw new InvalidBatchError('empty', 0, 'no record batch in the append');
    return headers;
  }

  private appendValidated(records: Buffer, headers: BatchHeader[], logAppendTimeMs: number): AppendInfo {
    const first = headers[0];
    const last = headers[headers.length - 1];
    this.maybeRoll(records.length, last.lastOffset);
    this.activeSegment.append(records, headers);
    const recordCount = last.lastOffset - first.baseOffset + 1;
    this.unflushedRecords += recordCount;
    if (this.unflushedRecords >= this.config.flushMessages) this.startFlush();
    let maxTimestamp = -1;
    for (const header of headers) maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp);
    return { firstOffset: first.baseOffset, lastOffset: last.lastOffset, maxTimestamp, logAppendTimeMs, batchCount: headers.length, bytes: records.length };
  }

  private maybeRoll(incomingBytes: number, lastOffset: number): void {
    const active = this.activeSegment;
    if (active.size === 0) return;
    const full = active.size + incomingBytes > this.config.segmentBytes;
    const old = this.clock.nowMs() - active.createdAtMs >= this.config.segmentMs;
    const offsetOverflow = lastOffset - active.baseOffset > 0xffffffff;
    if (full || old || offsetOverflow) this.roll();
  }

  private startFlush(): void {
    if (this.flushing || this.closed) return;
    const target = this.logEndOffset;
    const dirty = this.segments.filter((s) => s.nextOffset > this.flushedOffset || s === this.activeSegment);
    this.flushing = true;
    this.unflushedRecords = 0;
    this.lastFlushMs = this.clock.nowMs();
    const syncDirectoryToo = this.directoryDirty;
    this.directoryDirty = false;
    Promise.all(dirty.map((s) => s.flush())).then(
      () => {
        // fdatasync makes a file's data durable, not its name: new segments need the directory synced
        if (syncDirectoryToo && !this.closed) syncDirectory(this.dir);
        this.flushing = false;
        this.flushedOffset = Math.max(this.flushedOffset, Math.min(target, this.logEndOffset));
        const waiting = this.flushWaiters;
        this.flushWaiters = waiting.filter((w) => w.offset > this.flushedOffset);
        for (const w of waiting) if (w.offset <= this.flushedOffset) w.resolve();
        if (this.flushWaiters.length > 0) this.startFlush();
      },
      (error: Error) => {
        // An fsync failure leaves the page cache state unknown: stop accepting writes (Kafka takes
        // the log dir offline for the same reason).
        this.flushing = false;
        this.fatal = error;
        for (const w of this.flushWaiters) w.reject(error);
        this.flushWaiters = [];
      },
    );
  }

  private afterTruncation(): void {
    this.truncations++;
    this.leaderEpochs.truncateFromEnd(this.logEndOffset);
    this.flushedOffset = Math.min(this.flushedOffset, this.logEndOffset);
    // The recovery point must never point past the log end, or a later torn append would be trusted.
    this.checkpointRecoveryPoint();
  }

  private deleteSegmentsBelow(offset: number): void {
    if (this.activeSegment.nextOffset <= offset && this.activeSegment.size > 0) this.roll();
    while (this.segments.length > 1 && this.segments[1].baseOffset <= offset) this.deleteOldest();
  }

  private deleteOldest(): number {
    invariant(this.segments.length > 1, 'the active segment is never deleted');
    const oldest = this.segments.shift() as LogSegment;
    // retention and DeleteRecords drop whole segments: unlinked off the event loop, like a cleaned one
    retireSegment(oldest, this.dir);
    if (this.segments[0].baseOffset > this.startOffset) {
      this.startOffset = this.segments[0].baseOffset;
      writeOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE), this.startOffset);
      this.leaderEpochs.truncateFromStart(this.startOffset);
    }
    return 1;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private ensureOpen(): void {
    if (this.closed) throw new LogClosedError(this.dir);
  }

  private ensureWritable(): void {
    this.ensureOpen();
    if (this.fatal) throw this.fatal;
  }

  private closeSegments(): void {
    for (const segment of this.segments) segment.close();
    this.closed = true;
    for (const w of this.flushWaiters) w.reject(new LogClosedError(this.dir));
    this.flushWaiters = [];
  }

  /** Opens the segments found in the directory; recovers them when the last stop was unclean. */
  private load(): RecoveryReport {
    const names = fs.readdirSync(this.dir);
    for (const name of names) {
      if (name.endsWith('.tmp') || name.endsWith('.cleaned') || name.endsWith(DELETED_SUFFIX)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    for (const name of names.filter((n) => n.endsWith('.log.swap'))) this.completeSwap(name);
    const baseOffsets = fs
      .readdirSync(this.dir)
      .map(parseSegmentFileName)
      .filter((o): o is number => o !== null)
      .sort((a, b) => a - b);
    const cleanShutdownMarker = path.join(this.dir, CLEAN_SHUTDOWN_FILE);
    const cleanShutdown = fs.existsSync(cleanShutdownMarker);
    if (cleanShutdown) {
      fs.rmSync(cleanShutdownMarker);
      syncDirectory(this.dir);
    }
    const report: RecoveryReport = { cleanShutdown, segmentsScanned: 0, bytesTruncated: 0, segmentsDeleted: 0, stopReason: null };
    const nowMs = this.clock.nowMs();
    if (baseOffsets.length === 0) {
      const start = readOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE)) ?? 0;
      this.segments = [LogSegment.create(this.dir, start, nowMs, this.config.indexIntervalBytes)];
      this.startOffset = start;
      this.flushedOffset = start;
      return report;
    }
    this.segments = baseOffsets.map((base) => LogSegment.open(this.dir, base, this.config.indexIntervalBytes));
    for (let i = 0; i < this.segments.length - 1; i++) {
      this.segments[i].nextOffset = this.segments[i + 1].baseOffset;
      this.segments[i].maxTimestamp = this.segments[i].timeIndex.lastEntry()?.timestamp ?? -1;
    }
    const checkpointed = readOffsetCheckpoint(path.join(this.dir, RECOVERY_POINT_FILE));
    const recoveryPoint = checkpointed ?? 0;
    this.checkpointedRecoveryPoint = checkpointed ?? -1;
    if (cleanShutdown) this.activeSegment.loadEnd(this.config.maxMessageBytes);
    else this.recoverFrom(recoveryPoint, report);
    const checkpointedStart = readOffsetCheckpoint(path.join(this.dir, LOG_START_OFFSET_FILE)) ?? 0;
    this.startOffset = Math.min(Math.max(checkpointedStart, this.segments[0].baseOffset), this.logEndOffset);
    this.leaderEpochs.truncateFromEnd(this.logEndOffset);
    if (!cleanShutdown) {
      // What recovery kept may still sit only in the page cache: make it durable before trusting it.
      for (const segment of this.segments) if (segment.nextOffset > recoveryPoint) segment.flushSync();
    }
    this.flushedOffset = this.logEndOffset;
    if (!cleanShutdown) this.checkpointRecoveryPoint();
    return report;
  }

  /**
   * Scans the segments that may hold offsets at or past the recovery point. The first invalid
   * batch ends the log: the segment is cut there and every later segment is deleted.
   */
  private recoverFrom(recoveryPoint: number, report: RecoveryReport): void {
    let first = this.segments.findIndex((_segment, i) => (this.segments[i + 1]?.baseOffset ?? Infinity) > recoveryPoint);
    if (first < 0) first = this.segments.length - 1;
    for (let i = first; i < this.segments.length; i++) {
      const segment = this.segments[i];
      const result: RecoveryResult = segment.recover(this.config.maxMessageBytes, this.config.cleanupPolicy.includes('compact'));
      report.segmentsScanned++;
      report.bytesTruncated += result.truncatedBytes;
      const nextBase = this.segments[i + 1]?.baseOffset;
      const broken = result.stopReason !== null || (nextBase !== undefined && segment.nextOffset > nextBase);
      if (broken) {
        report.stopReason = result.stopReason ?? `segment ${segment.baseOffset} overlaps the next one`;
        for (const later of this.segments.splice(i + 1)) {
          report.bytesTruncated += later.size;
          report.segmentsDeleted++;
          later.delete();
        }
        break;
      }
      if (nextBase !== undefined) segment.nextOffset = nextBase;
    }
  }

  /** Finishes a compaction swap interrupted by a crash (see replaceSegments). */
  private completeSwap(swapName: string): void {
    const logName = swapName.slice(0, -'.swap'.length);
    const swapPath = path.join(this.dir, swapName);
    const bytes = fs.readFileSync(swapPath);
    const base = parseSegmentFileName(logName);
    if (base === null) return;
    let lastOffset = base;
    let position = 0;
    while (position + BATCH.HEADER_SIZE <= bytes.length) {
      lastOffset = readHeader(bytes, position).lastOffset;
      position += readBatchSize(bytes, position);
    }
    for (const name of fs.readdirSync(this.dir)) {
      const other = parseSegmentFileName(name);
      if (other !== null && other >= base && other <= lastOffset) {
        for (const suffix of ['.log', '.index', '.timeindex'] as const) fs.rmSync(path.join(this.dir, segmentFileName(other, suffix)), { force: true });
      }
    }
    fs.renameSync(swapPath, path.join(this.dir, logName));
    syncDirectory(this.dir);
  }
}

/** Length of the prefix of `bytes` made of whole batches that end below `limit`. */
function wholeBatchesBelow(bytes: Buffer, limit: number): { bytes: number; nextOffset: number } {
  let position = 0;
  let nextOffset = -1;
  while (bytes.length - position >= BATCH.HEADER_SIZE) {
    const size = readBatchSize(bytes, position);
    if (size > bytes.length - position) break;
    const lastOffset = readInt64(bytes, position) + bytes.readInt32BE(position + BATCH.LAST_OFFSET_DELTA);
    if (lastOffset >= limit) break;
    position += size;
    nextOffset = lastOffset + 1;
  }
  return { bytes: position, nextOffset };
}

/**
 * Closes a segment that retention dropped or a compaction replaced and renames its files to `.deleted`, then removes them
 * off the event loop: unlinking a 100 MiB segment took ~20 ms on the broker's thread (Kafka
 * renames to .deleted and deletes later too). open() removes the leftovers of a crash.
 */
function retireSegment(segment: LogSegment, dir: string): void {
  segment.close();
  for (const suffix of ['.log', '.index', '.timeindex'] as const) {
    const file = path.join(dir, segmentFileName(segment.baseOffset, suffix));
    try {
      fs.renameSync(file, `${file}${DELETED_SUFFIX}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // an index never written
      throw error;
    }
    void fs.promises.rm(`${file}${DELETED_SUFFIX}`, { force: true }).catch(() => undefined);
  }
}

function writeDurably(file: string, bytes: Buffer): void {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
