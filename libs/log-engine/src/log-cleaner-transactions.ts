import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH } from './batch-header';
import { forEachBatch } from './log-cleaner-batches';
import { CleanerPacer } from './log-cleaner-pacer';
import { LogSegment } from './segment';

/** Kafka's control record types (the key of an end-transaction marker: int16 version, int16 type). */
const CONTROL_TYPE_ABORT = 0;

interface AbortedRange {
  firstOffset: number;
  /** The ABORT marker's offset. */
  markerOffset: number;
}

/**
 * What one cleaner run learns of the transactions in the segments it may clean, from one pass
 * over batch headers (and the one record of each marker), before it decides anything:
 * - which transactions ended, and how: data batches of an ABORTED transaction are removed,
 *   those of a COMMITTED one are compacted like any other;
 * - the first unstable offset: a transaction whose marker is not among these segments (open,
 *   or ended in a segment the run does not read) may still abort or commit, so nothing from its
 *   first batch on is touched (Kafka's cleaner stops at the log's first unstable offset too);
 * - which markers still have data of their transaction in these segments (Kafka's rule: a
 *   marker stays while any batch of its transaction does, so read_committed readers that
 *   fetched the data still learn its end);
 * - each producer's last batch, which stays (see LogCleaner).
 * Memory: one entry per aborted transaction, per marker with data, and per producer id.
 */
export class CleanerTransactionScan {
  /** Aborted data ranges per producer, ascending. */
  private readonly aborted = new Map<number, AbortedRange[]>();
  /** Base offsets of markers whose transaction has batches in the scanned segments. */
  private readonly markersWithData = new Set<number>();
  private readonly lastBatchOfProducer = new Map<number, number>();
  firstUnstableOffset: number | null = null;

  static async scan(segments: readonly LogSegment[], pacer: CleanerPacer): Promise<CleanerTransactionScan> {
    const scan = new CleanerTransactionScan();
    const open = new Map<number, number>();
    for (const segment of segments) {
      await forEachBatch(segment, pacer, (header, bytes) => {
        const producerId = Number(bytes.readBigInt64BE(BATCH.PRODUCER_ID));
        if (producerId >= 0) scan.lastBatchOfProducer.set(producerId, header.baseOffset);
        if ((header.attributes & ATTR_CONTROL) !== 0) {
          const firstOffset = open.get(producerId);
          open.delete(producerId);
          if (firstOffset !== undefined) {
            scan.markersWithData.add(header.baseOffset);
            if (controlTypeOf(bytes) === CONTROL_TYPE_ABORT) {
              const ranges = scan.aborted.get(producerId) ?? [];
              ranges.push({ firstOffset, markerOffset: header.baseOffset });
              scan.aborted.set(producerId, ranges);
            }
          }
        } else if ((header.attributes & ATTR_TRANSACTIONAL) !== 0 && producerId >= 0 && !open.has(producerId)) {
          open.set(producerId, header.baseOffset);
        }
      });
    }
    for (const firstOffset of open.values()) {
      if (scan.firstUnstableOffset === null || firstOffset < scan.firstUnstableOffset) scan.firstUnstableOffset = firstOffset;
    }
    return scan;
  }

  /** The leading segments wholly below the first unstable offset: the ones a run may rewrite. */
  stablePrefix(segments: readonly LogSegment[]): LogSegment[] {
    const limit = this.firstUnstableOffset;
    if (limit === null) return [...segments];
    const out: LogSegment[] = [];
    for (const segment of segments) {
      if (segment.nextOffset > limit) break;
      out.push(segment);
    }
    return out;
  }

  /** A fresh in-order reader of the aborted ranges: ask about batches in ascending offset order. */
  abortedCursor(): (producerId: number, offset: number) => boolean {
    const next = new Map<number, number>();
    return (producerId, offset) => {
      const ranges = this.aborted.get(producerId);
      if (ranges === undefined) return false;
      let i = next.get(producerId) ?? 0;
      while (i < ranges.length && ranges[i].markerOffset < offset) i++;
      next.set(producerId, i);
      return i < ranges.length && ranges[i].firstOffset <= offset;
    };
  }

  markerHasData(markerOffset: number): boolean {
    return this.markersWithData.has(markerOffset);
  }

  /**
   * Whether this is its producer's last batch among the scanned segments. A later one in a
   * segment not scanned (the active one) is unknown here, so the last scanned one is kept.
   */
  isLastBatchOfProducer(producerId: number, baseOffset: number): boolean {
    return producerId >= 0 && this.lastBatchOfProducer.get(producerId) === baseOffset;
  }
}

/** The control type of a marker batch (its one record's key), or -1 when it holds no record or does not parse. */
export function controlTypeOf(batch: Buffer): number {
  if (batch.length <= BATCH.HEADER_SIZE || batch.readInt32BE(BATCH.RECORDS_COUNT) < 1) return -1;
  let at = BATCH.HEADER_SIZE;
  const varint = (): number | null => {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= batch.length) return null;
      const byte = batch[at++];
      if (shift < 28) result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
    }
    return null;
  };
  if (varint() === null) return -1; // record length
  at += 1; // record attributes
  if (varint() === null || varint() === null) return -1; // timestamp delta, offset delta
  const keyLength = varint();
  if (keyLength === null || keyLength < 4 || at + 4 > batch.length) return -1;
  return batch.readInt16BE(at + 2);
}
