import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogCleaner } from './log-cleaner';
import { PartitionLog } from './partition-log';
import { LogRecord, decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';
import { readBatchSize } from './batch-header';

function allRecords(log: PartitionLog): LogRecord[] {
  const out: LogRecord[] = [];
  let next = log.logStartOffset;
  for (let guard = 0; guard < 10_000 && next < log.logEndOffset; guard++) {
    const bytes = log.read(next, 1 << 20).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) out.push(...decodeRecords(bytes, pos));
    next = out[out.length - 1].offset + 1;
  }
  return out;
}

describe('LogCleaner (compaction)', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let log: PartitionLog;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    log = PartitionLog.open(path.join(dir, 'compacted-0'), {
      clock,
      config: { cleanupPolicy: 'compact', segmentBytes: 1024, deleteRetentionMs: 10_000 },
    });
  });
  afterEach(() => {
    log.close();
    cleanup();
  });

  it('keeps the latest value per key with offsets preserved, never touching the active segment', () => {
    for (let i = 0; i < 60; i++) log.appendAsLeader(encodeBatch([{ key: `k${i % 5}`, value: `v${i}` }], { timestamp: clock.now }), 0);
    const activeBase = log.segmentBaseOffsets().at(-1) as number;
    const result = new LogCleaner({ clock }).clean(log);
    expect(result.recordsRemoved).toBeGreaterThan(0);
    const records = allRecords(log);
    const inactive = records.filter((r) => r.offset < activeBase);
    const keys = inactive.map((r) => r.key?.toString());
    expect(new Set(keys).size).toBe(keys.length); // one record per key below the active segment
    for (const r of inactive) expect(r.value?.toString()).toBe(`v${r.offset}`); // offsets preserved
    expect(records.filter((r) => r.offset >= activeBase).length).toBe(60 - activeBase); // active untouched
    expect(log.logEndOffset).toBe(60);
  });

  it('drops tombstones only after delete.retention.ms', () => {
    for (let i = 0; i < 20; i++) log.appendAsLeader(encodeBatch([{ key: `k${i}`, value: 'x'.repeat(40) }], { timestamp: clock.now }), 0);
    log.appendAsLeader(encodeBatch([{ key: 'k3', value: null }], { timestamp: clock.now }), 0);
    for (let i = 0; i < 20; i++) log.appendAsLeader(encodeBatch([{ key: `z${i}`, value: 'y'.repeat(40) }], { timestamp: clock.now }), 0);
    const cleaner = new LogCleaner({ clock });
    cleaner.clean(log);
    const tombstone = () => allRecords(log).find((r) => r.key?.toString() === 'k3');
    expect(tombstone()?.value).toBeNull(); // the tombstone stays while consumers may still need it
    clock.advance(20_000);
    cleaner.clean(log);
    expect(tombstone()).toBeUndefined();
  });

  it('survives a reopen, and a crash in the middle of a swap', () => {
    for (let i = 0; i < 60; i++) log.appendAsLeader(encodeBatch([{ key: `k${i % 3}`, value: `v${i}` }], { timestamp: clock.now }), 0);
    new LogCleaner({ clock }).clean(log);
    const before = allRecords(log).map((r) => r.offset);
    log.close();
    // a leftover .cleaned file (crash before the swap) is ignored and removed
    const dirPath = path.join(dir, 'compacted-0');
    fs.writeFileSync(path.join(dirPath, '00000000000000000000.log.cleaned'), 'garbage');
    log = PartitionLog.open(dirPath, { clock, config: { cleanupPolicy: 'compact', segmentBytes: 1024 } });
    expect(allRecords(log).map((r) => r.offset)).toEqual(before);
    expect(fs.readdirSync(dirPath).some((n) => n.endsWith('.cleaned'))).toBe(false);
  });
});
