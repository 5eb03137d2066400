import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh directory under the OS temp dir; remove it with the returned cleanup. */
export function tempDir(prefix = 'tributary-log-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Polls `condition` every 10 ms for at most `limitMs`, then returns either way (the test's expectations say what is missing). */
export async function until(condition: () => boolean, limitMs = 1_000): Promise<void> {
  for (const started = Date.now(); !condition() && Date.now() - started < limitMs; ) await new Promise((resolve) => setTimeout(resolve, 10));
}
