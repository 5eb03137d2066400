import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH, PartitionLog } from '@tributary/log-engine';
import { KafkaError } from './kafka-errors';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, TransactionIndex, TransactionIndexState, markerCoordinatorEpochAt, markerTypeAt } from './transaction-index';

/** Kafka keeps the last 5 batches per producer: enough for max.in.flight.requests.per.connection=5. */
const CACHED_BATCHES_PER_PRODUCER = 5;
/** Bound on producers remembered per partition; the least recently active ones are forgotten. */
const MAX_PRODUCERS_PER_PARTITION = 100_000;
const SNAPSHOT_FILE = 'producer-state.snapshot';

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  producerId: number;
  epoch: number;
  batches: BatchMetadata[];
  /**
   * The coordinator epoch of the last marker written for this producer (-1: none yet). A marker
   * from a lower one comes from a transaction coordinator that lost its __transaction_state
   * partition to another broker: a zombie, refused as Kafka does (TRANSACTION_COORDINATOR_FENCED).
   * Optional: snapshots written before it existed lack it (then -1, and the markers replayed
   * after the snapshot set it).
   */
  coordinatorEpoch?: number;
}

export interface ProducerBatch {
  /** As found in the payload: meaningful for follower appends (a leader assigns its own). */
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** lastOffsetDelta + 1 */
  recordCount: number;
  transactional: boolean;
  /** The marker type of a control batch (MARKER_ABORT / MARKER_COMMIT; -1 if it does not parse); null for data. */
  marker: number | null;
  /** The coordinator epoch a marker carries; -1 for data or when it does not parse. */
  coordinatorEpoch: number;
}

/** The producer fields of every batch in a produce payload (headers only). Empty if malformed. */
export function producerBatchesOf(records: Buffer): ProducerBatch[] {
  const out: ProducerBatch[] = [];
  // bounded: each step moves by a batch length of at least one header, or stops
  for (let pos = 0; records.length - pos >= BATCH.HEADER_SIZE; ) {
    const size = records.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE || size > records.length - pos) return [];
    const attributes = records.readInt16BE(pos + BATCH.ATTRIBUTES);
    const control = (attributes & ATTR_CONTROL) !== 0;
    out.push({
      baseOffset: Number(records.readBigInt64BE(pos + BATCH.BASE_OFFSET)),
      producerId: Number(records.readBigInt64BE(pos + BATCH.PRODUCER_ID)),
      producerEpoch: records.readInt16BE(pos + BATCH.PRODUCER_EPOCH),
      baseSequence: records.readInt32BE(pos + BATCH.BASE_SEQUENCE),
      recordCount: records.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1,
      transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
      marker: control ? (markerTypeAt(records, pos) ?? -1) : null,
      coordinatorEpoch: control ? markerCoordinatorEpochAt(records, pos) : -1,
    });
    pos += size;
  }
  return out;
}

function lastSequence(first: number, count: number): number {
  // sequences wrap at Int32.MAX_VALUE back to 0
  return (first + count - 1) % 2 ** 31;
}

/**
 * Idempotent producer state of one partition: the epoch and the last batches' sequence numbers
 * of each producer id. A retried batch is recognised and answered with its original offsets
 * instead of being written twice; a gap in sequences or an old epoch is refused. Also the
 * partition's transactions (ongoing ones and the aborted index, see TransactionIndex). Rebuilt
 * after a restart from a snapshot plus the batch headers written after it.
 */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  transactions = new TransactionIndex();
  /** Where the snapshot on disk was taken (-1: none written by this process). */
  private snapshotAt = { offset: -1, logStartOffset: -1 };

  private constructor(private readonly dir: string) {}

  /** Loads the snapshot (if it is not ahead of the log) and replays the headers after it. */
  static load(log: PartitionLog): ProducerStateManager {
    const manager = new ProducerStateManager(log.dir);
    let from = log.logStartOffset;
    try {
      const snapshot = JSON.parse(fs.readFileSync(path.join(log.dir, SNAPSHOT_FILE), 'utf8')) as { offset: number; producers: ProducerEntry[]; transactions?: TransactionIndexState };
      if (Number.isInteger(snapshot.offset) && snapshot.offset <= log.logEndOffset && Array.isArray(snapshot.producers)) {
        for (const entry of snapshot.producers) manager.producers.set(entry.producerId, entry);
        manager.transactions = TransactionIndex.restore(snapshot.transactions);
        from = Math.max(from, snapshot.offset);
      }
    } catch {
      // no snapshot or a torn one: the log itself is the truth, replay all of it
    }
    manager.replay(log, from);
    return manager;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  /** DescribeProducers: each known producer's epoch, last sequence, last marker's coordinator epoch and open transaction start (-1: none). */
  activeProducers(): { producerId: number; producerEpoch: number; lastSequence: number; coordinatorEpoch: number; currentTxnStartOffset: number }[] {
    return [...this.producers.values()].map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.epoch,
      lastSequence: p.batches.at(-1)?.lastSeq ?? -1,
      coordinatorEpoch: p.coordinatorEpoch ?? -1,
      currentTxnStartOffset: this.transactions.ongoingOf(p.producerId) ?? -1,
    }));
  }

  /**
   * Checks the batches of one produce request. Returns the original offsets when the whole
   * request is a retry of batches already written; throws a KafkaError for a fenced epoch or a
   * sequence gap; returns null when the append may proceed.
   */
  checkAppend(batches: ProducerBatch[]): { firstOffset: number; lastOffset: number } | null {
    for (const marker of batches) {
      if (marker.marker === null) continue;
      const entry = this.producers.get(marker.producerId);
      if (entry !== undefined && marker.producerEpoch < entry.epoch) {
        throw new KafkaError('INVALID_PRODUCER_EPOCH', `marker for producer ${marker.producerId} has epoch ${marker.producerEpoch}, older than ${entry.epoch}`);
      }
      const coordinatorEpoch = entry?.coordinatorEpoch ?? -1;
      if (marker.coordinatorEpoch < coordinatorEpoch) {
        throw new KafkaError(
          'TRANSACTION_COORDINATOR_FENCED',
          `marker for producer ${marker.producerId} comes from coordinator epoch ${marker.coordinatorEpoch}, older than ${coordinatorEpoch}`,
        );
      }
    }
    const idempotent = batches.filter((b) => b.producerId >= 0 && b.baseSequence >= 0);
    if (idempotent.length === 0) return null;
    const duplicates = idempotent.map((b) => this.findDuplicate(b));
    if (duplicates.every((d) => d !== null) && idempotent.length === batches.length) {
      const found = duplicates as BatchMetadata[];
      return { firstOffset: found[0].firstOffset, lastOffset: found[found.length - 1].lastOffset };
    }
    const pending = new Map<number, { epoch: number; lastSeq: number | null }>();
    for (const batch of idempotent) {
      const entry = this.producers.get(batch.producerId);
      const known = pending.get(batch.producerId) ?? (entry ? { epoch: entry.epoch, lastSeq: entry.batches.at(-1)?.lastSeq ?? null } : null);
      if (known && batch.producerEpoch < known.epoch) {
        throw new KafkaError('INVALID_PRODUCER_EPOCH', `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than ${known.epoch}`);
      }
      const newEpoch = !known || batch.producerEpoch > known.epoch;
      if (newEpoch) {
        if (batch.baseSequence !== 0) {
          throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${batch.producerId} epoch ${batch.producerEpoch} must start at sequence 0, got ${batch.baseSequence}`);
        }
      } else if (known.lastSeq !== null && batch.baseSequence !== (known.lastSeq + 1) % 2 ** 31) {
        throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${batch.producerId} expected sequence ${(known.lastSeq + 1) % 2 ** 31}, got ${batch.baseSequence}`);
      }
      pending.set(batch.producerId, { epoch: batch.producerEpoch, lastSeq: lastSequence(batch.baseSequence, batch.recordCount) });
    }
    return null;
  }

  /** Records a written batch (leader or follower append, or replay). */
  onBatchWritten(batch: ProducerBatch, firstOffset: number): void {
    if (batch.producerId < 0) return;
    if (batch.transactional) {
      this.transactions.onBatchWritten({ producerId: batch.producerId, firstOffset, lastOffset: firstOffset + batch.recordCount - 1, transactional: true, marker: batch.marker });
    }
    let entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch > entry.epoch) {
      // a new producer epoch keeps the coordinator epoch: the coordinator did not change with it
      entry = { producerId: batch.producerId, epoch: batch.producerEpoch, batches: [], coordinatorEpoch: entry?.coordinatorEpoch ?? -1 };
    }
    if (batch.marker !== null) entry.coordinatorEpoch = Math.max(entry.coordinatorEpoch ?? -1, batch.coordinatorEpoch);
    this.producers.delete(batch.producerId); // re-insert: Map order is recency, for eviction
    this.producers.set(batch.producerId, entry);
    if (batch.baseSequence >= 0) {
      entry.batches.push({ firstSeq: batch.baseSequence, lastSeq: lastSequence(batch.baseSequence, batch.recordCount), firstOffset, lastOffset: firstOffset + batch.recordCount - 1 });
      if (entry.batches.length > CACHED_BATCHES_PER_PRODUCER) entry.batches.shift();
    }
    if (this.producers.size > MAX_PRODUCERS_PER_PARTITION) {
      this.producers.delete(this.producers.keys().next().value as number);
    }
  }

  /** After the log was truncated: forget everything and rebuild from the log. */
  reload(log: PartitionLog): void {
    this.producers.clear();
    this.transactions.clear();
    // the log was cut: the same offset may now hold other batches, so the next snapshot is written
    this.snapshotAt = { offset: -1, logStartOffset: -1 };
    this.replay(log, log.logStartOffset);
  }

  /** Writes the state as of `offset` (the log end) atomically. */
  takeSnapshot(offset: number, logStartOffset = 0): void {
    // the state changes only with the log: a partition nothing was written to keeps its snapshot
    // (the broker snapshots every partition each minute, and rewriting idle ones stalled it)
    if (offset === this.snapshotAt.offset && logStartOffset === this.snapshotAt.logStartOffset) return;
    const file = path.join(this.dir, SNAPSHOT_FILE);
    this.transactions.pruneBelow(logStartOffset);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ offset, producers: [...this.producers.values()], transactions: this.transactions.snapshot() }));
    fs.renameSync(`${file}.tmp`, file);
    this.snapshotAt = { offset, logStartOffset };
  }

  private findDuplicate(batch: ProducerBatch): BatchMetadata | null {
    const entry = this.producers.get(batch.producerId);
    if (!entry || entry.epoch !== batch.producerEpoch) return null;
    const lastSeq = lastSequence(batch.baseSequence, batch.recordCount);
    return entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq) ?? null;
  }

  private replay(log: PartitionLog, fromOffset: number): void {
    log.forEachBatchHeader(fromOffset, (header, producer) => {
      if (producer.producerId < 0 || header.baseOffset < fromOffset) return;
      const transactional = (header.attributes & ATTR_TRANSACTIONAL) !== 0;
      // a marker's type and coordinator epoch are in its one record: read that batch (markers are rare, data batches are not read)
      const { marker, coordinatorEpoch } = (header.attributes & ATTR_CONTROL) !== 0 ? markerOf(log, header.baseOffset, header.sizeInBytes) : { marker: null, coordinatorEpoch: -1 };
      this.onBatchWritten({ ...producer, baseOffset: header.baseOffset, recordCount: header.lastOffset - header.baseOffset + 1, transactional, marker, coordinatorEpoch }, header.baseOffset);
    });
  }
}

function markerOf(log: PartitionLog, offset: number, sizeInBytes: number): { marker: number; coordinatorEpoch: number } {
  const { records } = log.read(offset, sizeInBytes);
  if (records.length < BATCH.HEADER_SIZE) return { marker: -1, coordinatorEpoch: -1 };
  return { marker: markerTypeAt(records, 0) ?? -1, coordinatorEpoch: markerCoordinatorEpochAt(records, 0) };
}
