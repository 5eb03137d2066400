import { ConsumedRecord, RecordBatch } from '@tributary/protocol';

/**
 * The records of one fetched response, taken a bounded number at a time: batches are decoded one
 * by one as the takes reach them, and records below the fetch position (a batch the position
 * falls inside of) are skipped. Plain indexed loops: this runs for every record a consumer reads.
 */
export class FetchedRecords {
  private batchIndex = 0;
  private decoded: ConsumedRecord[] = [];
  private next = 0;

  constructor(
    private readonly batches: readonly RecordBatch[],
    private readonly fromOffset: number,
  ) {}

  /** Up to `max` next records in offset order; fewer only at the end, none once all were taken. */
  take(max: number): ConsumedRecord[] {
    const out: ConsumedRecord[] = [];
    while (out.length < max) {
      if (this.next === this.decoded.length && !this.decodeNextBatch()) break;
      const end = Math.min(this.decoded.length, this.next + max - out.length);
      for (let i = this.next; i < end; i++) out.push(this.decoded[i]);
      this.next = end;
    }
    return out;
  }

  private decodeNextBatch(): boolean {
    if (this.batchIndex === this.batches.length) return false;
    this.decoded = this.batches[this.batchIndex++].records();
    let next = 0;
    while (next < this.decoded.length && this.decoded[next].offset < this.fromOffset) next++;
    this.next = next;
    return true;
  }
}
