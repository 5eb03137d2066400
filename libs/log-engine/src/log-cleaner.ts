import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TIMESTAMP_TYPE_LOG_APPEND,
  ATTR_TRANSACTIONAL,
  BATCH,
  BatchHeader,
  computeCrc,
  readInt64,
  writeInt64,
} from './batch-header';
import { KeyOffsetMap } from './key-offset-map';
import { forEachBatch } from './log-cleaner-batches';
import { CleanedFile } from './log-cleaner-output';
import { CleanerPacer, CleanerSlice } from './log-cleaner-pacer';
import { CleanerTransactionScan } from './log-cleaner-transactions';
import { Clock, systemClock } from './log-config';
import { PartitionLog } from './partition-log';
import { BatchCodec, LogRecord, decodeRecords, encodeBatch } from './records';
import { LogSegment } from './segment';

export interface CleanResult {
  segmentsCleaned: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
  /** The first offset not cleaned by this run (the next run's first dirty offset); null when nothing was cleaned. */
  cleanedUpToOffset: number | null;
  /**
   * Why the run gave up before swapping all it had cleaned, or null: the log changed under it
   * (retention, DeleteRecords, truncation, close, deletion) or another clean of it was running.
   * Groups swapped before that stay cleaned; the rest is tried again by a later run.
   */
  abandoned: string | null;
}

/** The largest key map one run builds; beyond it the run cleans fewer segments. */
const MAX_KEYS_PER_RUN = 1_000_000;

/** Thrown inside a run when the log changed under it; the run ends with `abandoned` set. */
class CleanAbandoned extends Error {}

/** Logs with a clean in flight, whichever cleaner runs it: one clean per log at a time. */
const logsBeingCleaned = new WeakSet<PartitionLog>();

/**
 * Log compaction (cleanup.policy=compact), as Kafka's LogCleaner: keeps the latest record per
 * key in the inactive segments, drops tombstones older than delete.retention.ms, preserves
 * offsets (batches keep their base offset and offset deltas) and never touches the active
 * segment. Transactions:
 * - nothing from the first unstable offset on is touched (see CleanerTransactionScan);
 * - records of aborted transactions are removed, and never supersede a key;
 * - records of committed transactions are compacted with everything else (latest value wins);
 * - a marker stays while its transaction has batches in the log; then the first run that finds
 *   it alone stamps a delete horizon (now + delete.retention.ms, KIP-534's two passes) and a
 *   run after that horizon removes it, so a reader that fetched the data before it was cleaned
 *   still has delete.retention.ms to read the marker.
 * Each producer's last batch stays: the broker rebuilds producer state from the log when it has
 * no snapshot (unclean stop, follower truncation). A data batch whose records all go keeps its
 * header (an empty batch, as Kafka's RETAIN_EMPTY): it carries the producer's epoch and last
 * sequence, without which an idempotent producer's next batch would be refused as out of order.
 * A marker stays whole past its horizon: its epoch bump and coordinator epoch (which fences
 * stale transaction coordinators) live in it; that costs one small batch per producer id.
 * Earlier batches of a producer are not needed: only the last epoch and sequence matter, and no
 * transaction is left open by a removed batch because markers outlive their data.
 * Compressed batches are decoded through the injected codec and rewritten with their own
 * codec; without one they are kept as they are (an aborted one is still removed whole).
 *
 * A run shares the broker's only thread: it works in slices of ~1 MiB or ~3 ms (CleanerPacer)
 * and writes the cleaned files asynchronously, so produce, fetch and heartbeats wait a few
 * milliseconds at most, never the whole clean (Kafka runs its cleaner on its own threads; here
 * the injected batch codec and the segments' file descriptors live on this thread, which rules
 * out a worker without copying both). Since the log may change between slices, every resume
 * checks that the segments read are still the log's, unchanged; the swap of a group, the only
 * step that touches the log, is synchronous and happens only after that check.
 */
export class LogCleaner {
  private readonly clock: Clock;
  private readonly batchCodec: BatchCodec | undefined;
  private readonly maxBytesPerRun: number;
  private readonly slice: CleanerSlice;

  constructor(options: { clock?: Clock; batchCodec?: BatchCodec; maxBytesPerRun?: number } & CleanerSlice = {}) {
    this.clock = options.clock ?? systemClock;
    this.batchCodec = options.batchCodec;
    this.maxBytesPerRun = options.maxBytesPerRun ?? 256 * 1024 * 1024;
    this.slice = { sliceMs: options.sliceMs, sliceBytes: options.sliceBytes };
  }

  /**
   * Compacts the log's inactive segments. Records from `firstDirtyOffset` on are the dirty ones
   * (written since the last clean); those below were cleaned before and hold one record per key
   * already, so only the dirty ones feed the key map (within the run's I/O budget), as in
   * Kafka's cleaner, and the clean ones are rewritten against it. Without it, all is dirty.
   * `abort` (checked at every slice) ends the run as abandoned, for a closing LogManager.
   */
  async clean(log: PartitionLog, firstDirtyOffset = log.logStartOffset, abort?: AbortSignal): Promise<CleanResult> {
    const result: CleanResult = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0, cleanedUpToOffset: null, abandoned: null };
    if (logsBeingCleaned.has(log)) return { ...result, abandoned: 'another clean of this log is running' };
    logsBeingCleaned.add(log);
    try {
      await this.cleanSliced(log, firstDirtyOffset, result, abort);
    } catch (thrown) {
      if (!(thrown instanceof CleanAbandoned)) throw thrown;
      result.abandoned = thrown.message;
      // the groups already swapped are clean, but the dirty range was not all rewritten
      result.cleanedUpToOffset = null;
    } finally {
      logsBeingCleaned.delete(log);
    }
    return result;
  }

  private async cleanSliced(log: PartitionLog, firstDirtyOffset: number, result: CleanResult, abort: AbortSignal | undefined): Promise<void> {
    const nowMs = this.clock.nowMs();
    const candidates = this.cleanableSegments(log, nowMs, firstDirtyOffset);
    if (candidates.length === 0) return;
    const read = new SegmentsRead(log, candidates);
    const pacer = new CleanerPacer(() => {
      if (abort?.aborted) throw new CleanAbandoned('the cleaner was stopped');
      if (!read.unchanged()) throw new CleanAbandoned('the log changed during the clean');
    }, this.slice);
    try {
      await this.rewrite(log, firstDirtyOffset, nowMs, candidates, read, pacer, result);
    } catch (thrown) {
      // a failure caused by the log changing (its directory deleted under an open) is a give-up too
      if (!(thrown instanceof CleanAbandoned)) pacer.resumed();
      throw thrown;
    }
  }

  private async rewrite(
    log: PartitionLog,
    firstDirtyOffset: number,
    nowMs: number,
    candidates: LogSegment[],
    read: SegmentsRead,
    pacer: CleanerPacer,
    result: CleanResult,
  ): Promise<void> {
    const transactions = await CleanerTransactionScan.scan(candidates, pacer);
    const latest = new KeyOffsetMap();
    const stable = transactions.stablePrefix(candidates);
    const abortedInKeyPass = transactions.abortedCursor();
    let keyedSegments = 0;
    for (const [i, segment] of stable.entries()) {
      if (segment.nextOffset <= firstDirtyOffset) continue;
      if (latest.size > MAX_KEYS_PER_RUN) break;
      await forEachBatch(segment, pacer, (header, bytes) => {
        if ((header.attributes & ATTR_CONTROL) !== 0) return;
        if ((header.attributes & ATTR_TRANSACTIONAL) !== 0 && abortedInKeyPass(producerIdOf(bytes), header.baseOffset)) return;
        for (const record of this.recordsOf(header, bytes) ?? []) if (record.key !== null) latest.set(record.key.toString('latin1'), record.offset);
      });
      keyedSegments = i + 1;
    }
    // nothing dirty is stable yet (or nothing is dirty): the clean part has nothing to lose
    if (keyedSegments === 0) return;
    const segments = stable.slice(0, keyedSegments);
    const cleanedUpToOffset = segments[segments.length - 1].nextOffset;
    const tombstoneHorizonMs = nowMs - log.config.deleteRetentionMs;
    const markerHorizonMs = nowMs + log.config.deleteRetentionMs;
    const aborted = transactions.abortedCursor();
    // Rewrite in groups whose combined size stays under segment.bytes, like Kafka's cleaner.
    for (const group of groupBySize(segments, log.config.segmentBytes)) {
      const output = await CleanedFile.create(log.cleanedSegmentPath(group[0]));
      try {
        pacer.resumed();
        let bytesBefore = 0;
        let recordsRemoved = 0;
        for (const segment of group) {
          bytesBefore += segment.size;
          await forEachBatch(segment, pacer, (header, bytes) => {
            const producerId = producerIdOf(bytes);
            const lastOfProducer = transactions.isLastBatchOfProducer(producerId, header.baseOffset);
            if ((header.attributes & ATTR_CONTROL) !== 0) {
              const marker = cleanMarker(header, bytes, transactions.markerHasData(header.baseOffset), lastOfProducer, nowMs, markerHorizonMs);
              if (marker !== null) output.add(marker);
              return;
            }
            if ((header.attributes & ATTR_TRANSACTIONAL) !== 0 && aborted(producerId, header.baseOffset)) {
              recordsRemoved += header.recordsCount;
              if (lastOfProducer) output.add(emptyBatch(bytes));
              return;
            }
            const records = this.recordsOf(header, bytes);
            if (records === null) {
              output.add(bytes);
              return;
            }
            // a key absent from the map was last written in the clean part: that record is its latest
            const survivors = records.filter((r) => {
              const last = r.key === null ? undefined : latest.get(r.key.toString('latin1'));
              return (last === undefined || last === r.offset) && !(r.value === null && header.maxTimestamp < tombstoneHorizonMs);
            });
            recordsRemoved += records.length - survivors.length;
            if (survivors.length === records.length) output.add(bytes);
            else if (survivors.length > 0) output.add(rebuild(header, bytes, survivors, undefined, this.batchCodec));
            else if (lastOfProducer) output.add(emptyBatch(bytes));
          });
        }
        const bytesAfter = await output.finish();
        pacer.resumed(); // the last check before the swap: nothing runs between it and the swap
        read.replaced(group, log.swapInCleanedSegment(group, output.headers));
        result.bytesBefore += bytesBefore;
        result.bytesAfter += bytesAfter;
        result.recordsRemoved += recordsRemoved;
        result.segmentsCleaned += group.length;
      } finally {
        await output.discard();
      }
    }
    result.cleanedUpToOffset = cleanedUpToOffset;
  }

  /**
   * Inactive segments, oldest first, whose newest record is older than min.compaction.lag.ms:
   * every clean one (below `firstDirtyOffset`) and the dirty ones within the I/O budget.
   */
  private cleanableSegments(log: PartitionLog, nowMs: number, firstDirtyOffset: number): LogSegment[] {
    const out: LogSegment[] = [];
    let dirtyBytes = 0;
    for (const segment of log.inactiveSegments()) {
      if (nowMs - segment.maxTimestamp < log.config.minCompactionLagMs) break;
      if (segment.nextOffset > firstDirtyOffset) {
        if (dirtyBytes + segment.size > this.maxBytesPerRun && dirtyBytes > 0) break;
        dirtyBytes += segment.size;
      }
      out.push(segment);
    }
    return out;
  }

  /**
   * The records of a data batch; null when they cannot be read here (kept as it is): compressed
   * with no codec supplied, or records that do not parse (the append path checks only the batch
   * header and CRC, so a client can write such a batch; it must not stop the cleaner).
   */
  private recordsOf(header: BatchHeader, bytes: Buffer): LogRecord[] | null {
    try {
      if ((header.attributes & ATTR_COMPRESSION_MASK) === 0) return decodeRecords(bytes);
      return this.batchCodec === undefined ? null : this.batchCodec.decodeRecords(bytes);
    } catch {
      return null;
    }
  }
}

/**
 * The segments a run read, as it read them (same objects, so the same files; size; end) and the
 * log's truncation count then: the run may swap its rewrite in only while the log still holds
 * them all, unchanged. Kept up to date with the run's own swaps.
 */
class SegmentsRead {
  private readonly segments: { segment: LogSegment; size: number; nextOffset: number }[];
  private readonly truncations: number;

  constructor(
    private readonly log: PartitionLog,
    segments: readonly LogSegment[],
  ) {
    this.segments = segments.map((segment) => ({ segment, size: segment.size, nextOffset: segment.nextOffset }));
    this.truncations = log.truncationCount;
  }

  unchanged(): boolean {
    return this.log.stillHoldsForCleaning(this.segments, this.truncations);
  }

  replaced(group: readonly LogSegment[], replacement: LogSegment): void {
    const first = this.segments.findIndex((r) => r.segment === group[0]);
    this.segments.splice(first, group.length, { segment: replacement, size: replacement.size, nextOffset: replacement.nextOffset });
  }
}

function producerIdOf(batch: Buffer): number {
  return readInt64(batch, BATCH.PRODUCER_ID);
}

/**
 * A marker's fate in one run: kept while its transaction has batches in the log; once alone,
 * stamped with a delete horizon; removed on a run past that horizon unless it is its
 * producer's last batch. Null: removed.
 */
function cleanMarker(header: BatchHeader, bytes: Buffer, hasData: boolean, lastOfProducer: boolean, nowMs: number, horizonMs: number): Buffer | null {
  if (hasData || header.recordsCount === 0) return bytes;
  if ((header.attributes & ATTR_DELETE_HORIZON) === 0) {
    let records: LogRecord[];
    try {
      records = decodeRecords(bytes);
    } catch {
      return bytes; // a marker whose record does not parse stays as it is
    }
    return rebuild(header, bytes, records, horizonMs);
  }
  if (readInt64(bytes, BATCH.BASE_TIMESTAMP) > nowMs || lastOfProducer) return bytes;
  return null;
}

/**
 * The batch re-encoded with only `survivors`, keeping its offsets, producer fields and attribute
 * flags, and its compression when `codec` is given (as Kafka's cleaner rewrites a batch with
 * its codec; without one the records are written plain). With `deleteHorizonMs`, the base
 * timestamp becomes that horizon and the delete-horizon flag is set; record timestamps stay
 * exact (their deltas change).
 */
function rebuild(header: BatchHeader, bytes: Buffer, survivors: LogRecord[], deleteHorizonMs?: number, codec?: BatchCodec): Buffer {
  let out = encodeBatch(
    survivors.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers })),
    {
      baseOffset: header.baseOffset,
      timestamp: deleteHorizonMs ?? readInt64(bytes, BATCH.BASE_TIMESTAMP),
      partitionLeaderEpoch: bytes.readInt32BE(BATCH.PARTITION_LEADER_EPOCH),
      producerId: readInt64(bytes, BATCH.PRODUCER_ID),
      producerEpoch: bytes.readInt16BE(BATCH.PRODUCER_EPOCH),
      baseSequence: bytes.readInt32BE(BATCH.BASE_SEQUENCE),
      offsetDeltas: survivors.map((r) => r.offset - header.baseOffset),
      lastOffsetDelta: header.lastOffset - header.baseOffset,
    },
  );
  let attributes = header.attributes & ~ATTR_COMPRESSION_MASK;
  if (deleteHorizonMs !== undefined) attributes |= ATTR_DELETE_HORIZON;
  const compression = header.attributes & ATTR_COMPRESSION_MASK;
  if (compression !== 0 && codec !== undefined) {
    const compressed = codec.compressRecords(compression, out.subarray(BATCH.HEADER_SIZE));
    out = Buffer.concat([out.subarray(0, BATCH.HEADER_SIZE), compressed]);
    out.writeInt32BE(out.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
    attributes |= compression;
  }
  out.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  // LogAppendTime: the broker's time is the batch's max timestamp, whatever the records say
  if ((attributes & ATTR_TIMESTAMP_TYPE_LOG_APPEND) !== 0) writeInt64(out, BATCH.MAX_TIMESTAMP, header.maxTimestamp);
  out.writeUInt32BE(computeCrc(out, 0, out.length), BATCH.CRC);
  return out;
}

/** The batch's header alone: no records, the same offsets, producer fields and flags (uncompressed). */
function emptyBatch(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes.subarray(0, BATCH.HEADER_SIZE));
  out.writeInt32BE(BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  out.writeInt16BE(out.readInt16BE(BATCH.ATTRIBUTES) & ~ATTR_COMPRESSION_MASK, BATCH.ATTRIBUTES);
  out.writeInt32BE(0, BATCH.RECORDS_COUNT);
  out.writeUInt32BE(computeCrc(out, 0, out.length), BATCH.CRC);
  return out;
}

function groupBySize(segments: LogSegment[], maxBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let current: LogSegment[] = [];
  let size = 0;
  for (const segment of segments) {
    if (current.length > 0 && size + segment.size > maxBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(segment);
    size += segment.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
