import { IndexFile, floorEntry } from './index-file';

const ENTRY_SIZE = 8; // relative offset uint32 + file position uint32

/** Sparse map offset -> file position of the batch starting at that offset (`.index`). */
export class OffsetIndex {
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

  append(offset: number, position: number): void {
    this.scratch.writeUInt32BE(offset - this.baseOffset, 0);
    this.scratch.writeUInt32BE(position, 4);
    this.file.append(this.scratch);
  }

  /** The indexed batch start at or before `offset`: where a scan for `offset` may begin. */
  lookup(offset: number): { offset: number; position: number } {
    const view = this.file.view();
    const i = floorEntry(view.length / ENTRY_SIZE, (k) => view.readUInt32BE(k * ENTRY_SIZE), offset - this.baseOffset);
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + view.readUInt32BE(i * ENTRY_SIZE), position: view.readUInt32BE(i * ENTRY_SIZE + 4) };
  }

  lastEntry(): { offset: number; position: number } | null {
    const view = this.file.view();
    if (view.length === 0) return null;
    const at = view.length - ENTRY_SIZE;
    return { offset: this.baseOffset + view.readUInt32BE(at), position: view.readUInt32BE(at + 4) };
  }

  /** Removes entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    const view = this.file.view();
    const keep = floorEntry(view.length / ENTRY_SIZE, (k) => view.readUInt32BE(k * ENTRY_SIZE), offset - this.baseOffset - 1) + 1;
    this.file.truncateToEntries(keep);
  }

  /** True when the entries are ascending and point inside a log of `logSize` bytes. */
  isSane(logSize: number): boolean {
    const view = this.file.view();
    let previousKey = -1;
    let previousPosition = -1;
    for (let at = 0; at < view.length; at += ENTRY_SIZE) {
      const key = view.readUInt32BE(at);
      const position = view.readUInt32BE(at + 4);
      if (key <= previousKey || position <= previousPosition || position >= logSize) return false;
      previousKey = key;
      previousPosition = position;
    }
    return true;
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
