import * as fs from 'node:fs';

/**
 * A file of fixed-size entries, mirrored in one growable Buffer. Sparse by construction (one entry
 * per index.interval.bytes of log), so the memory is a small fraction of the log. Loaded lazily:
 * segments that are never read cost nothing at startup. New entries reach the file in bulk at
 * flush (no syscall per append); recovery rebuilds whatever a crash lost, so this costs no safety.
 */
export class IndexFile {
  private entries: Buffer | null = null;
  private count = 0;
  /** Entries [0, persisted) are in the file. */
  private persisted = 0;
  private fd: number | null = null;

  constructor(
    readonly path: string,
    readonly entrySize: number,
  ) {}

  get entryCount(): number {
    this.load();
    return this.count;
  }

  /** The in-memory entries; valid until the next append or truncate. */
  view(): Buffer {
    this.load();
    return (this.entries as Buffer).subarray(0, this.count * this.entrySize);
  }

  append(entry: Buffer): void {
    this.load();
    const size = this.count * this.entrySize;
    let entries = this.entries as Buffer;
    if (size + this.entrySize > entries.length) {
      const grown = Buffer.allocUnsafe(Math.max(64 * this.entrySize, entries.length * 2));
      entries.copy(grown, 0, 0, size);
      entries = this.entries = grown;
    }
    entry.copy(entries, size);
    this.count++;
  }

  /** Writes the entries not yet in the file (one write). */
  writePending(): void {
    if (this.entries === null || this.persisted >= this.count) return;
    const from = this.persisted * this.entrySize;
    const to = this.count * this.entrySize;
    fs.writeSync(this.openFd(), this.entries, from, to - from, from);
    this.persisted = this.count;
  }

  /** Keeps the first `entryCount` entries. */
  truncateToEntries(entryCount: number): void {
    this.load();
    if (entryCount >= this.count) return;
    this.count = Math.max(0, entryCount);
    this.persisted = Math.min(this.persisted, this.count);
    fs.ftruncateSync(this.openFd(), this.count * this.entrySize);
  }

  reset(): void {
    this.entries = Buffer.allocUnsafe(64 * this.entrySize);
    this.count = 0;
    this.persisted = 0;
    fs.ftruncateSync(this.openFd(), 0);
  }

  flush(): void {
    this.writePending();
    if (this.fd !== null) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    this.writePending();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    this.entries = null;
    this.count = 0;
  }

  private openFd(): number {
    if (this.fd === null) this.fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return this.fd;
  }

  private load(): void {
    if (this.entries !== null) return;
    let data: Buffer;
    try {
      data = fs.readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      data = Buffer.alloc(0);
    }
    // A torn last entry is dropped: an index is only a hint and is rebuilt when in doubt.
    this.count = Math.floor(data.length / this.entrySize);
    this.persisted = this.count;
    this.entries = Buffer.allocUnsafe(Math.max(64 * this.entrySize, data.length));
    data.copy(this.entries, 0, 0, this.count * this.entrySize);
  }
}

/** Index of the last entry whose key is <= target, or -1; keys are ascending. */
export function floorEntry(count: number, keyAt: (i: number) => number, target: number): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) <= target) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
