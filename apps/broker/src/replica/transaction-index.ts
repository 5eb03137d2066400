import { BATCH } from '@tributary/log-engine';

/** Batch attribute bits (Kafka's record batch v2). */
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

/** Kafka's control record types: the key of an end-transaction marker says which. */
export const MARKER_ABORT = 0;
export const MARKER_COMMIT = 1;

/**
 * Bound on aborted transactions remembered per partition (about 40 bytes each). Entries below the
 * log start offset are dropped first; beyond the bound the oldest go, which a read_committed
 * consumer reading that far back would notice as aborted records delivered.
 */
export const MAX_ABORTED_TRANSACTIONS = 1_000_000;

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
  /** The offset of the ABORT marker that ended it. */
  lastOffset: number;
}

/** What the index needs of one written batch: its header fields, plus the marker type of a control batch. */
export interface TransactionalBatch {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  transactional: boolean;
  /** MARKER_ABORT or MARKER_COMMIT for a control batch; null for data. */
  marker: number | null;
}

export interface TransactionIndexState {
  ongoing: { producerId: number; firstOffset: number }[];
  aborted: AbortedTransaction[];
}

/**
 * The transactions of one partition, kept from batch headers alone: each producer's ongoing
 * transaction (the first offset of its first transactional batch, ended by a marker) and the
 * aborted transactions (producer, first offset, marker offset) that read_committed fetches list
 * so consumers can drop those records. The last stable offset is the first offset of the oldest
 * ongoing transaction, capped by the high watermark: read_committed consumers read only below it.
 * Log compaction removes aborted records but never moves an offset, so a range whose records
 * are gone merely hides nothing; a rebuild from a cleaned log lists only aborts whose data is
 * there. Once the cleaner removes the ABORT marker too, the entry must go: see abortedBetween.
 */
export class TransactionIndex {
  private readonly ongoing = new Map<number, number>();
  /** Ascending by lastOffset (markers are written in log order). */
  private aborted: AbortedTransaction[] = [];
  private firstUnstableCache: number | null | undefined = undefined;

  static restore(state: TransactionIndexState | undefined): TransactionIndex {
    const index = new TransactionIndex();
    if (!state) return index;
    for (const entry of state.ongoing ?? []) if (Number.isInteger(entry.producerId) && Number.isInteger(entry.firstOffset)) index.ongoing.set(entry.producerId, entry.firstOffset);
    index.aborted = (state.aborted ?? []).filter((a) => Number.isInteger(a.producerId) && Number.isInteger(a.firstOffset) && Number.isInteger(a.lastOffset));
    return index;
  }

  snapshot(): TransactionIndexState {
    return { ongoing: [...this.ongoing].map(([producerId, firstOffset]) => ({ producerId, firstOffset })), aborted: this.aborted };
  }

  /** Applies one written batch (leader append, follower append or replay), in log order. */
  onBatchWritten(batch: TransactionalBatch): void {
    if (batch.producerId < 0 || !batch.transactional) return;
    if (batch.marker === null) {
      if (!this.ongoing.has(batch.producerId)) {
        this.ongoing.set(batch.producerId, batch.firstOffset);
        this.firstUnstableCache = undefined;
      }
      return;
    }
    const firstOffset = this.ongoing.get(batch.producerId);
    this.ongoing.delete(batch.producerId);
    this.firstUnstableCache = undefined;
    // an ABORT with no data (a transaction that wrote nothing here) hides nothing: not listed
    if (batch.marker === MARKER_ABORT && firstOffset !== undefined) {
      this.aborted.push({ producerId: batch.producerId, firstOffset, lastOffset: batch.lastOffset });
      if (this.aborted.length > MAX_ABORTED_TRANSACTIONS) this.aborted.shift();
    }
  }

  /** The first offset of the oldest ongoing transaction, or null when none is open. */
  get firstUnstableOffset(): number | null {
    if (this.firstUnstableCache === undefined) {
      let min: number | null = null;
      for (const offset of this.ongoing.values()) if (min === null || offset < min) min = offset;
      this.firstUnstableCache = min;
    }
    return this.firstUnstableCache;
  }

  get ongoingCount(): number {
    return this.ongoing.size;
  }

  /** The ongoing transaction of a producer: its first offset, or undefined. */
  ongoingOf(producerId: number): number | undefined {
    return this.ongoing.get(producerId);
  }

  /** Whether any aborted transaction ended at or after `fromOffset` (a cheap check before looking closer). */
  hasAbortedFrom(fromOffset: number): boolean {
    return this.aborted.length > 0 && this.aborted[this.aborted.length - 1].lastOffset >= fromOffset;
  }

  /**
   * Aborted transactions that may hide records in [fromOffset, upToOffset): ended at or after
   * `fromOffset` and begun before `upToOffset`, ordered by first offset as Kafka answers.
   * `markersRead` (compacted logs): the offsets of the marker batches, records intact, among the
   * batches just read, which end at `upToOffset`. An entry whose ABORT marker offset lies in
   * what was read but is not among them lost its marker to the log cleaner (which removes a
   * marker only after all its data): it is forgotten for good, as Kafka's cleaner drops it from
   * the segment's transaction index. Listing it would make a consumer drop the producer's later
   * committed records while it waits for an abort marker that no longer comes.
   */
  abortedBetween(fromOffset: number, upToOffset: number, markersRead?: ReadonlySet<number>): AbortedTransaction[] {
    let low = 0;
    let high = this.aborted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.aborted[mid].lastOffset < fromOffset) low = mid + 1;
      else high = mid;
    }
    const out: AbortedTransaction[] = [];
    const cleanedAway = new Set<AbortedTransaction>();
    for (let i = low; i < this.aborted.length; i++) {
      const entry = this.aborted[i];
      if (markersRead !== undefined && entry.lastOffset < upToOffset && !markersRead.has(entry.lastOffset)) cleanedAway.add(entry);
      else if (entry.firstOffset < upToOffset) out.push(entry);
    }
    if (cleanedAway.size > 0) this.aborted = this.aborted.filter((a) => !cleanedAway.has(a));
    return out.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Forgets aborted transactions wholly below the log start (retention or DeleteRecords removed them). */
  pruneBelow(logStartOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0].lastOffset < logStartOffset) this.aborted = this.aborted.filter((a) => a.lastOffset >= logStartOffset);
  }

  clear(): void {
    this.ongoing.clear();
    this.aborted = [];
    this.firstUnstableCache = undefined;
  }
}

/**
 * The marker type of the control batch at `pos` (its single record's key: int16 version, int16
 * type), or null when it does not parse. Reads a few bytes of the one record a marker holds.
 */
export function markerTypeAt(buf: Buffer, pos: number): number | null {
  return parseMarkerAt(buf, pos)?.type ?? null;
}

/**
 * The coordinator epoch a marker carries (its value: int16 version, int32 coordinator epoch),
 * or -1 when the marker has none that parses.
 */
export function markerCoordinatorEpochAt(buf: Buffer, pos: number): number {
  return parseMarkerAt(buf, pos)?.coordinatorEpoch ?? -1;
}

function parseMarkerAt(buf: Buffer, pos: number): { type: number; coordinatorEpoch: number } | null {
  const end = pos + buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
  let at = pos + BATCH.HEADER_SIZE;
  const varint = (): number | null => {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= end || at >= buf.length) return null;
      const byte = buf[at++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
    }
    return null;
  };
  const skipVarint = (): boolean => {
    // varlongs (the timestamp delta) take up to 10 bytes
    for (let i = 0; i < 10; i++) {
      if (at >= end || at >= buf.length) return false;
      if ((buf[at++] & 0x80) === 0) return true;
    }
    return false;
  };
  if (!skipVarint()) return null; // record length
  at += 1; // record attributes
  if (!skipVarint() || !skipVarint()) return null; // timestamp delta, offset delta
  const keyLength = varint();
  if (keyLength === null || keyLength < 4 || at + keyLength > end || at + keyLength > buf.length) return null;
  const type = buf.readInt16BE(at + 2);
  if (type !== MARKER_ABORT && type !== MARKER_COMMIT) return null;
  at += keyLength;
  const valueLength = varint();
  const coordinatorEpoch = valueLength !== null && valueLength >= 6 && at + 6 <= end && at + 6 <= buf.length ? buf.readInt32BE(at + 2) : -1;
  return { type, coordinatorEpoch };
}
