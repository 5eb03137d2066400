import { ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH, BatchHeader } from './batch-header';
import { Clock, systemClock } from './log-config';
import { PartitionLog } from './partition-log';
import { BatchCodec, LogRecord, decodeRecords, encodeBatch } from './records';
import { LogSegment } from './segment';

export interface CleanResult {
  segmentsCleaned: number;
  recordsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** The largest key map one run builds; beyond it the run cleans fewer segments. */
const MAX_KEYS_PER_RUN = 1_000_000;

/**
 * Log compaction (cleanup.policy=compact): keeps the latest record per key in the inactive
 * segments, drops tombstones older than delete.retention.ms, preserves offsets (batches keep
 * their base offset and offset deltas) and never touches the active segment. Transactional and
 * control batches, and compressed batches when no codec is supplied, are kept as they are.
 */
export class LogCleaner {
  private readonly clock: Clock;
  private readonly batchCodec: BatchCodec | undefined;
  private readonly maxBytesPerRun: number;

  constructor(options: { clock?: Clock; batchCodec?: BatchCodec; maxBytesPerRun?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    this.batchCodec = options.batchCodec;
    this.maxBytesPerRun = options.maxBytesPerRun ?? 256 * 1024 * 1024;
  }

  clean(log: PartitionLog): CleanResult {
    const result: CleanResult = { segmentsCleaned: 0, recordsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
    const nowMs = this.clock.nowMs();
    const cleanable = this.cleanableSegments(log, nowMs);
    if (cleanable.length === 0) return result;
    const latest = new Map<string, number>();
    const segments: LogSegment[] = [];
    for (const segment of cleanable) {
      if (latest.size > MAX_KEYS_PER_RUN) break;
      this.forEachRecordBatch(segment, (_header, records) => {
        for (const record of records ?? []) if (record.key !== null) latest.set(record.key.toString('latin1'), record.offset);
      });
      segments.push(segment);
    }
    const tombstoneHorizonMs = nowMs - log.config.deleteRetentionMs;
    // Rewrite in groups whose combined size stays under segment.bytes, like Kafka's cleaner.
    for (const group of groupBySize(segments, log.config.segmentBytes)) {
      const kept: Buffer[] = [];
      for (const segment of group) {
        result.bytesBefore += segment.size;
        this.forEachRecordBatch(segment, (header, records, bytes) => {
          if (records === null) {
            kept.push(bytes);
            return;
          }
          const survivors = records.filter(
            (r) => (r.key === null || latest.get(r.key.toString('latin1')) === r.offset) && !(r.value === null && header.maxTimestamp < tombstoneHorizonMs),
          );
          result.recordsRemoved += records.length - survivors.length;
          if (survivors.length === records.length) kept.push(bytes);
          else if (survivors.length > 0) kept.push(rebuild(header, bytes, survivors));
        });
      }
      const cleaned = Buffer.concat(kept);
      result.bytesAfter += cleaned.length;
      log.replaceSegments(group, cleaned);
      result.segmentsCleaned += group.length;
    }
    return result;
  }

  /** Inactive segments, oldest first, whose newest record is older than min.compaction.lag.ms, within the I/O budget. */
  private cleanableSegments(log: PartitionLog, nowMs: number): LogSegment[] {
    const out: LogSegment[] = [];
    let bytes = 0;
    for (const segment of log.inactiveSegments()) {
      if (nowMs - segment.maxTimestamp < log.config.minCompactionLagMs) break;
      if (bytes + segment.size > this.maxBytesPerRun && out.length > 0) break;
      bytes += segment.size;
      out.push(segment);
    }
    return out;
  }

  /** Reads one batch at a time (bounded memory); `records` is null for batches kept verbatim. */
  private forEachRecordBatch(segment: LogSegment, visit: (header: BatchHeader, records: LogRecord[] | null, bytes: Buffer) => void): void {
    let position = 0;
    while (position < segment.size) {
      const header = segment.headerAt(position);
      if (header === null) break;
      const bytes = segment.readBytes(position, header.sizeInBytes);
      const special = (header.attributes & (ATTR_CONTROL | ATTR_TRANSACTIONAL)) !== 0;
      const compressed = (header.attributes & ATTR_COMPRESSION_MASK) !== 0;
      let records: LogRecord[] | null = null;
      if (!special && !compressed) records = decodeRecords(bytes);
      else if (!special && this.batchCodec !== undefined) records = this.batchCodec.decodeRecords(bytes);
      visit(header, records, bytes);
      position += header.sizeInBytes;
    }
  }
}

function rebuild(header: BatchHeader, bytes: Buffer, survivors: LogRecord[]): Buffer {
  return encodeBatch(
    survivors.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers })),
    {
      baseOffset: header.baseOffset,
      timestamp: Number(bytes.readBigInt64BE(BATCH.BASE_TIMESTAMP)),
      partitionLeaderEpoch: bytes.readInt32BE(BATCH.PARTITION_LEADER_EPOCH),
      producerId: Number(bytes.readBigInt64BE(BATCH.PRODUCER_ID)),
      producerEpoch: bytes.readInt16BE(BATCH.PRODUCER_EPOCH),
      baseSequence: bytes.readInt32BE(BATCH.BASE_SEQUENCE),
      offsetDeltas: survivors.map((r) => r.offset - header.baseOffset),
      lastOffsetDelta: header.lastOffset - header.baseOffset,
    },
  );
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
