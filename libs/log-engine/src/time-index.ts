import { readInt64, writeInt64 } from './batch-header';
import { IndexFile, floorEntry } from './index-file';

const ENTRY_SIZE = 12; // timestamp int64 + relative offset uint32

/**
 * Sparse map timestamp -> offset (`.timeindex`). Entries are appended only when the segment's max
 * timestamp grows, so timestamps are strictly ascending and a binary search applies.
 */
export class TimeIndex {
  private readonly file: IndexFile;
  private readonly scratch = Buffer.alloc(ENTRY_SIZE);

  constructor(
    path: string,
    readonly baseOffset: number,
  ) {
    this.file = new IndexFile(path, ENTRY_SIZE);
  }

  get entryCount(): number {
    return this.file.entryCount;
  }

  lastEntry(): { timestamp: number; offset: number } | null {
    const view = this.file.view();
    if (view.length === 0) return null;
    const at = view.length - ENTRY_SIZE;
    return { timestamp: readInt64(view, at), offset: this.baseOffset + view.readUInt32BE(at + 8) };
  }

  /** Appends when `timestamp` is above the last entry's; returns whether it did. */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.lastEntry();
    if (last !== null && timestamp <= last.timestamp) return false;
    writeInt64(this.scratch, 0, timestamp);
    this.scratch.writeUInt32BE(offset - this.baseOffset, 8);
    this.file.append(this.scratch);
    return true;
  }

  /**
   * The offset of an indexed batch from which a scan for the first record with a timestamp >= target
   * may start: the entry with the largest timestamp < target, else the segment start.
   */
  lookup(timestamp: number): number {
    const view = this.file.view();
    const i = floorEntry(view.length / ENTRY_SIZE, (k) => readInt64(view, k * ENTRY_SIZE), timestamp - 1);
    return i < 0 ? this.baseOffset : this.baseOffset + view.readUInt32BE(i * ENTRY_SIZE + 8);
  }

  /** Removes entries pointing at offsets >= `offset`. */
  truncateTo(offset: number): void {
    const view = this.file.view();
    let keep = view.length / ENTRY_SIZE;
    while (keep > 0 && this.baseOffset + view.readUInt32BE((keep - 1) * ENTRY_SIZE + 8) >= offset) keep--;
    this.file.truncateToEntries(keep);
  }

  reset(): void {
    this.file.reset();
  }

  flush(): void {
    this.file.flush();
  }

  /** Writes buffered entries to the file without syncing (roll, clean close). */
  flushPending(): void {
    this.file.writePending();
  }

  close(): void {
    this.file.close();
  }
}
