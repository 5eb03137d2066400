import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readBatchSize } from './batch-header';
import { LogCleaner } from './log-cleaner';
import { LogManager } from './log-manager';
import { PartitionLog } from './partition-log';
import { decodeRecords, encodeBatch } from './records';
import { LogSegment } from './segment';
import { ManualClock, tempDir, until } from './testing/temp-dir';

/** What was written at each offset, to check reads against after a clean. */
type Written = Map<number, { key: string; value: string | null }>;

/** Appends `batches` batches of `perBatch` records over `keys` keys (every 50th record a tombstone when asked). */
function fill(log: PartitionLog, clock: ManualClock, written: Written, batches: number, options: { perBatch?: number; keys?: number; valueBytes?: number; tombstones?: boolean } = {}): void {
  const { perBatch = 10, keys = 1000, valueBytes = 100, tombstones = false } = options;
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: perBatch }, (_, i) => {
      const n = log.logEndOffset + i;
      const key = `key-${(n * 7919) % keys}`;
      const value = tombstones && n % 50 === 49 ? null : `${n}:${'v'.repeat(valueBytes)}`;
      written.set(n, { key, value });
      return { key, value };
    });
    log.appendAsLeader(encodeBatch(records, { timestamp: clock.now }), 0);
  }
}

function readAll(log: PartitionLog): { offset: number; key: string; value: string | null }[] {
  const out: { offset: number; key: string; value: string | null }[] = [];
  let next = log.logStartOffset;
  for (let guard = 0; guard < 1_000_000 && next < log.logEndOffset; guard++) {
    const bytes = log.read(next, 1 << 20).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) {
      for (const r of decodeRecords(bytes, pos)) out.push({ offset: r.offset, key: r.key?.toString() ?? '', value: r.value?.toString() ?? null });
    }
    next = out.length > 0 ? out[out.length - 1].offset + 1 : log.logEndOffset;
  }
  return out;
}

/**
 * The compaction contract as a reader relies on it: every record read is the one written at
 * its offset, and each key's last write at or above the log start is still there.
 */
function expectConsistent(log: PartitionLog, written: Written): void {
  const read = readAll(log);
  for (const r of read) expect(r).toEqual({ offset: r.offset, ...written.get(r.offset) });
  const lastOffsetOfKey = new Map<string, number>();
  for (const [offset, { key }] of written) if (offset >= log.logStartOffset && offset < log.logEndOffset) lastOffsetOfKey.set(key, offset);
  const offsetsRead = new Set(read.map((r) => r.offset));
  const missing = [...lastOffsetOfKey.values()].filter((offset) => !offsetsRead.has(offset));
  expect(missing).toEqual([]);
}

function segmentFiles(dir: string): Record<string, Buffer> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .map((n) => [n, fs.readFileSync(path.join(dir, n))]),
  );
}

describe('LogCleaner: a clean shares the event loop', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let log: PartitionLog;
  let written: Written;

  const open = (name: string, segmentBytes: number) => PartitionLog.open(path.join(dir, name), { clock, config: { cleanupPolicy: 'compact', segmentBytes, deleteRetentionMs: 10_000 } });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    written = new Map();
    log = open('compacted-0', 256 * 1024);
  });
  afterEach(() => {
    log.close();
    cleanup();
  });

  it('lets a 1 ms timer keep firing through a clean of 50 MiB (no gap over 50 ms; the whole clean used to be one)', async () => {
    log.close();
    log = open('big-0', 1024 * 1024);
    fill(log, clock, written, 41_000, { keys: 10_000 }); // ~50 MiB in ~1 MiB segments
    expect(log.sizeInBytes).toBeGreaterThan(50 * 1024 * 1024);
    let last = performance.now();
    let longestGapMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 1);
    let result;
    try {
      result = await new LogCleaner({ clock }).clean(log);
      longestGapMs = Math.max(longestGapMs, performance.now() - last);
    } finally {
      clearInterval(timer);
    }
    expect(result.abandoned).toBeNull();
    expect(result.segmentsCleaned).toBeGreaterThan(45);
    expect(result.recordsRemoved).toBeGreaterThan(300_000);
    expect(longestGapMs).toBeLessThan(50);
    expectConsistent(log, written);
  }, 120_000);

  it('produces exactly the files an unsliced clean produces from the same input', async () => {
    const other = open('twin-0', 256 * 1024);
    const otherWritten: Written = new Map();
    try {
      for (const [target, record] of [
        [log, written],
        [other, otherWritten],
      ] as const) {
        fill(target, clock, record, 2_000, { keys: 300, tombstones: true });
      }
      clock.advance(20_000); // the first tombstones are past delete.retention.ms
      for (const [target, record] of [
        [log, written],
        [other, otherWritten],
      ] as const) {
        fill(target, clock, record, 1_000, { keys: 300, tombstones: true });
      }
      // one yields after every batch, the other never does: the synchronous cleaner's behaviour
      const sliced = await new LogCleaner({ clock, sliceBytes: 1 }).clean(log);
      const whole = await new LogCleaner({ clock, sliceBytes: Infinity, sliceMs: Infinity }).clean(other);
      expect(sliced).toEqual(whole);
      expect(sliced.recordsRemoved).toBeGreaterThan(0);
      expect(segmentFiles(log.dir)).toEqual(segmentFiles(other.dir));
      expectConsistent(log, written);
    } finally {
      other.close();
    }
  });

  it('indexes the cleaned segments as a full scan of them would, without reading them back', async () => {
    fill(log, clock, written, 3_000, { keys: 5_000, tombstones: true }); // most records survive
    const result = await new LogCleaner({ clock }).clean(log);
    expect(result.segmentsCleaned).toBeGreaterThan(3);
    const cleaned = log.inactiveSegments().map((s) => s.baseOffset);
    const logDir = log.dir;
    log.close();
    const rescanned = path.join(dir, 'rescanned');
    fs.mkdirSync(rescanned);
    for (const base of cleaned) {
      const name = (suffix: string) => `${String(base).padStart(20, '0')}${suffix}`;
      fs.copyFileSync(path.join(logDir, name('.log')), path.join(rescanned, name('.log')));
      const segment = LogSegment.open(rescanned, base, 4096);
      segment.recover(Number.MAX_SAFE_INTEGER, true);
      segment.seal();
      segment.close();
      for (const suffix of ['.index', '.timeindex']) expect(fs.readFileSync(path.join(logDir, name(suffix)))).toEqual(fs.readFileSync(path.join(rescanned, name(suffix))));
    }
    log = open('compacted-0', 256 * 1024);
    expectConsistent(log, written);
  });

  /** Starts a clean that yields after every batch; resolves once it is under way (wrapped: an async function would adopt it). */
  async function cleanInFlight(): Promise<{ running: ReturnType<LogCleaner['clean']> }> {
    const running = new LogCleaner({ clock, sliceBytes: 1 }).clean(log);
    await nextTurn();
    return { running };
  }

  it('gives up its swap when retention deletes the first segments meanwhile, and the log reads right', async () => {
    fill(log, clock, written, 1_500);
    const { running } = await cleanInFlight();
    const newStart = log.segmentBaseOffsets()[2];
    log.advanceLogStartOffset(newStart); // DeleteRecords / retention: the first two segments go
    const result = await running;
    expect(result.abandoned).toMatch(/changed/);
    expect(result.cleanedUpToOffset).toBeNull();
    expect(log.logStartOffset).toBe(newStart);
    expectConsistent(log, written);
    expect(fs.readdirSync(log.dir).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toEqual([]);
    // the next run cleans what is left
    const retry = await new LogCleaner({ clock }).clean(log);
    expect(retry.abandoned).toBeNull();
    expect(retry.recordsRemoved).toBeGreaterThan(0);
    expectConsistent(log, written);
  });

  it('gives up its swap when a follower truncates into the segments it read, so no older value is lost', async () => {
    fill(log, clock, written, 1_500);
    const { running } = await cleanInFlight();
    // the latest values of most keys live in the last segments: truncate them away mid-clean
    const cut = log.segmentBaseOffsets().at(-4) as number;
    log.truncateTo(cut);
    for (const offset of [...written.keys()]) if (offset >= cut) written.delete(offset);
    fill(log, clock, written, 10); // the follower's new data
    const result = await running;
    expect(result.abandoned).toMatch(/changed/);
    expectConsistent(log, written); // each key's last write below the cut is still readable
    const retry = await new LogCleaner({ clock }).clean(log);
    expect(retry.abandoned).toBeNull();
    expectConsistent(log, written);
  });

  it('runs one clean of a log at a time', async () => {
    fill(log, clock, written, 1_500);
    const { running } = await cleanInFlight();
    const second = await new LogCleaner({ clock }).clean(log);
    expect(second).toMatchObject({ abandoned: 'another clean of this log is running', segmentsCleaned: 0 });
    expect((await running).abandoned).toBeNull();
    expectConsistent(log, written);
  });

  it('removes the replaced segment files off the event loop, and open() removes what a crash left of them', async () => {
    fill(log, clock, written, 1_500);
    const replaced = log.inactiveSegments().map((s) => path.basename(s.logPath));
    expect((await new LogCleaner({ clock }).clean(log)).segmentsCleaned).toBe(replaced.length);
    const leftovers = () => fs.readdirSync(log.dir).filter((n) => n.endsWith('.deleted'));
    for (let turn = 0; turn < 1000 && leftovers().length > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(leftovers()).toEqual([]);
    log.close();
    fs.writeFileSync(path.join(log.dir, `${replaced[0]}.deleted`), 'a crash left this');
    log = open('compacted-0', 256 * 1024);
    expect(leftovers()).toEqual([]);
    expectConsistent(log, written);
  });

  it('keeps appends to the active segment while it runs', async () => {
    fill(log, clock, written, 1_500);
    const { running } = await cleanInFlight();
    for (let i = 0; i < 20; i++) {
      fill(log, clock, written, 5);
      await nextTurn();
    }
    const result = await running;
    expect(result.abandoned).toBeNull();
    expect(result.recordsRemoved).toBeGreaterThan(0);
    expectConsistent(log, written);
  });
});

describe('LogManager: a clean in flight', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let manager: LogManager;
  const tp = { topic: 'compacted', partition: 0 };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    // small slices: every test below catches the clean between two of them
    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 }, cleanerFailureBackoffMs: 60_000 });
    const log = manager.createLog(tp);
    fill(log, clock, new Map(), 3_000);
  });
  afterEach(() => {
    manager.close();
    cleanup();
  });

  it('is not joined by a second one: runCleanerOnce resolves to null while it runs', async () => {
    const first = manager.runCleanerOnce();
    expect(await manager.runCleanerOnce()).toBeNull();
    expect(await first).toMatchObject({ ...tp, result: { abandoned: null } });
  });

  it('is aborted by close(), leaves no .cleaned file, and the log reopens whole', async () => {
    const partitionDir = (manager.getLog(tp) as PartitionLog).dir;
    const endOffset = (manager.getLog(tp) as PartitionLog).logEndOffset;
    const run = manager.runCleanerOnce();
    await nextTurn();
    manager.close();
    expect(await run).toBeNull();
    await manager.cleanerIdle();
    expect(fs.readdirSync(partitionDir).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toEqual([]);
    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 } });
    expect(manager.getLog(tp)?.logEndOffset).toBe(endOffset);
    expect(await manager.runCleanerOnce()).toMatchObject({ ...tp, result: { abandoned: null } });
  });

  it('ends quietly when its partition is deleted meanwhile: not reported, not set aside', async () => {
    const errors: Error[] = [];
    manager.close();
    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 }, onCleanerError: (_tp, error) => errors.push(error) });
    const run = manager.runCleanerOnce();
    await nextTurn();
    expect(manager.deleteLog(tp)).toBe(true);
    expect(await run).toBeNull();
    expect(errors).toEqual([]);
    expect(manager.uncleanablePartitions()).toEqual([]);
    // the deleted partition's directory goes once the clean has given up
    await manager.cleanerIdle();
    await until(() => !fs.readdirSync(dir).some((n) => n.startsWith('compacted')));
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('compacted'))).toEqual([]);
  });
});
