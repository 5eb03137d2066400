import { ControlRecordType, RecordBatch, controlRecordType } from '@tributary/protocol';

/**
 * The client half of read_committed, as Kafka's consumers do it. The broker returns data only
 * up to the last stable offset, with the aborted transactions (producer, first offset) that may
 * overlap it; walking the batches in offset order, a producer is "aborted" from its transaction's
 * first offset until its ABORT marker, and its transactional batches in between are dropped.
 * Per batch: records are never looked at, except the one record of an ABORT/COMMIT marker.
 */
export class AbortedTransactionFilter {
  private readonly ahead: { producerId: number; firstOffset: number }[];
  private nextAhead = 0;
  private readonly aborting = new Set<number>();

  constructor(aborted: readonly { producerId: bigint | number; firstOffset: bigint | number }[] | null | undefined) {
    this.ahead = (aborted ?? []).map((a) => ({ producerId: Number(a.producerId), firstOffset: Number(a.firstOffset) })).sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Whether the batch's records go to the application; call for every batch, in offset order. */
  accepts(batch: RecordBatch): boolean {
    const producerId = batch.producerId;
    while (this.nextAhead < this.ahead.length && this.ahead[this.nextAhead].firstOffset <= batch.lastOffset) this.aborting.add(this.ahead[this.nextAhead++].producerId);
    if (batch.isControl) {
      if (isAbortMarker(batch)) this.aborting.delete(producerId);
      return false;
    }
    return !(batch.isTransactional && this.aborting.has(producerId));
  }
}

function isAbortMarker(batch: RecordBatch): boolean {
  try {
    for (const record of batch.records()) return controlRecordType(record) === ControlRecordType.Abort;
  } catch {
    // a control batch that does not parse ends nothing
  }
  return false;
}
