/**
 * A status line that rewrites itself on a terminal (stderr), at most every `intervalMs`.
 * Silent when stderr is not a terminal, so logs and pipes get only the final summary.
 */
export class ProgressLine {
  private lastMs = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 250,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(render: () => string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastMs < this.intervalMs) return;
    this.lastMs = now;
    this.stream.write(`\r\x1b[2K${render()}`);
    this.shown = true;
  }

  /** Clears the line so the summary starts on a clean one. */
  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** `[#########...........]  45%` */
export function progressBar(done: number, total: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}
