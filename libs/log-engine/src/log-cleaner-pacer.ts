import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** How much one slice of a clean may do before it hands the event loop back. */
export interface CleanerSlice {
  /** Wall time of one slice; default 3 ms. */
  sliceMs?: number;
  /** Bytes of batches one slice may visit; default 1 MiB. */
  sliceBytes?: number;
}

/**
 * Cuts a clean into slices so it shares the broker's only thread: after ~1 MiB of batches or
 * ~3 ms of work, whichever comes first, the clean yields one event-loop turn (setImmediate, so
 * pending I/O callbacks and timers run first) and then asks `stillValid`, which throws when the
 * log changed under it. Checking per batch is one clock read; yielding is the rare case.
 */
export class CleanerPacer {
  private readonly sliceMs: number;
  private readonly sliceBytes: number;
  private sliceStart = performance.now();
  private bytes = 0;

  constructor(
    private readonly stillValid: () => void,
    slice: CleanerSlice = {},
  ) {
    this.sliceMs = slice.sliceMs ?? 3;
    this.sliceBytes = slice.sliceBytes ?? 1 << 20;
  }

  /** Counts `bytes` of work; true when the slice is spent and the caller should `yield()`. */
  spend(bytes: number): boolean {
    this.bytes += bytes;
    return this.bytes >= this.sliceBytes || performance.now() - this.sliceStart >= this.sliceMs;
  }

  /** One event-loop turn, then the validity check; starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.resumed();
  }

  /** After any await of the clean (a file write): the log may have changed meanwhile. */
  resumed(): void {
    this.stillValid();
    this.sliceStart = performance.now();
    this.bytes = 0;
  }
}
