/**
 * How long one compaction holds the event loop, and how long it takes in all:
 *   node -r ./tools/scripts/register.js libs/log-engine/scripts/clean-stall.ts [MiB=100] [segmentMiB=MiB] [keys=10000]
 * Writes ~MiB of compactable records (`keys` distinct keys, 10 records of ~100 bytes per batch) into a
 * fresh log, rolls it, cleans it once under perf_hooks.monitorEventLoopDelay and prints the
 * longest stall, the clean's wall time and a digest of the cleaned files (equal digests: the
 * same bytes on disk, whatever the cleaner's internals).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LogCleaner } from '../src/log-cleaner';
import { PartitionLog } from '../src/partition-log';
import { encodeBatch } from '../src/records';

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 100);
  const segmentMib = Number(process.argv[3] ?? mib);
  const keys = Number(process.argv[4] ?? 10_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clean-stall-'));
  const clock = { nowMs: () => 1_700_000_000_000 };
  try {
    const log = PartitionLog.open(path.join(dir, 'compacted-0'), {
      clock,
      config: { cleanupPolicy: 'compact', segmentBytes: segmentMib * 1024 * 1024, maxMessageBytes: 1 << 20 },
    });
    let key = 0;
    const inactiveBytes = () => log.inactiveSegments().reduce((sum, s) => sum + s.size, 0);
    // a segment rolls a batch short of segment.bytes: stop at 99% of the target
    while (inactiveBytes() < mib * 1024 * 1024 * 0.99) {
      const records = Array.from({ length: 10 }, () => ({ key: `key-${key++ % keys}`, value: 'v'.repeat(100) + key }));
      log.appendAsLeader(encodeBatch(records, { timestamp: clock.nowMs() }), 0);
    }
    const bytes = inactiveBytes();
    // monitorEventLoopDelay for the distribution; a 1 ms timer's longest gap for the one long stall
    // (the histogram samples it once, when its late timer finally fires)
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    let lastTick = performance.now();
    let maxGapMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - lastTick);
      lastTick = now;
    }, 1);
    const started = performance.now();
    const result = await new LogCleaner({ clock }).clean(log);
    const elapsedMs = performance.now() - started;
    // the histogram learns of a stall when its late timer fires: give it that turn
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(ticker);
    histogram.disable();
    const digest = createHash('sha256');
    for (const segment of log.inactiveSegments()) digest.update(fs.readFileSync(segment.logPath));
    log.close();
    console.log(
      JSON.stringify({
        inputMiB: +(bytes / 1048576).toFixed(1),
        segments: result.segmentsCleaned,
        recordsRemoved: result.recordsRemoved,
        cleanMs: Math.round(elapsedMs),
        maxStallMs: Math.round(maxGapMs),
        p99StallMs: +(histogram.percentile(99) / 1e6).toFixed(1),
        digest: digest.digest('hex').slice(0, 16),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
