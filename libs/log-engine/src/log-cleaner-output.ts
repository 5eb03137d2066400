import * as fs from 'node:fs';
import { BatchHeader, readHeader } from './batch-header';

/** Cleaned bytes gathered before one write (few writes, bounded memory). */
const WRITE_BYTES = 1 << 20;

/**
 * The `.cleaned` file one group of segments is rewritten into, written off the event loop: the
 * cleaner adds batches as it goes, each ~1 MiB goes to the file by an asynchronous write (in
 * order, on the libuv pool) while the cleaner carries on, and finish() waits for the writes and
 * an fdatasync. It keeps each batch's header, so the swap indexes the new segment without
 * reading it back. A file that is not swapped in is removed by discard().
 */
export class CleanedFile {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  /** Every batch added, positioned in the file: the new segment's indexes are built from them. */
  readonly headers: BatchHeader[] = [];

  private constructor(
    readonly path: string,
    private readonly handle: fs.promises.FileHandle,
  ) {}

  static async create(path: string): Promise<CleanedFile> {
    return new CleanedFile(path, await fs.promises.open(path, 'w', 0o644));
  }

  /** Appends one batch; `bytes` must not change afterwards (the cleaner's chunks never do). */
  add(bytes: Buffer): void {
    const header = readHeader(bytes, 0);
    header.position = this.written + this.pendingBytes;
    this.headers.push(header);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= WRITE_BYTES) this.startWrite();
  }

  /** Waits for every write, syncs the file to disk and closes it; returns its size. */
  async finish(): Promise<number> {
    this.startWrite();
    await this.writes;
    if (this.failure !== null) throw this.failure;
    await this.handle.datasync();
    this.closed = true;
    await this.handle.close();
    return this.written;
  }

  /** Closes and removes the file unless it was swapped in (renamed away); never throws. */
  async discard(): Promise<void> {
    await this.writes;
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await fs.promises.rm(this.path, { force: true }).catch(() => undefined);
  }

  private startWrite(): void {
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const position = this.written;
    this.written += chunk.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.writes = this.writes.then(async () => {
      if (this.failure !== null) return;
      try {
        for (let done = 0; done < chunk.length; ) done += (await this.handle.write(chunk, done, chunk.length - done, position + done)).bytesWritten;
      } catch (error) {
        this.failure = error;
      }
    });
  }
}
