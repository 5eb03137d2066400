import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBatchSize } from './batch-header';
import { LogConfig } from './log-config';
import { CLEANER_CHECKPOINT_FILE, LogManager, TopicPartition } from './log-manager';
import { PartitionLog } from './partition-log';
import { LogRecord, decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';

const COMPACTED: Partial<LogConfig> = { cleanupPolicy: 'compact', segmentBytes: 1024 };

function append(log: PartitionLog, clock: ManualClock, keys: string[]): void {
  for (const key of keys) log.appendAsLeader(encodeBatch([{ key, value: `${key}@${clock.now}` }], { timestamp: clock.now }), 0);
}

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

function allRecords(log: PartitionLog): LogRecord[] {
  const out: LogRecord[] = [];
  let next = log.logStartOffset;
  for (let guard = 0; guard < 10_000 && next < log.logEndOffset; guard++) {
    const bytes = log.read(next, 1 << 20).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) out.push(...decodeRecords(bytes, pos));
    next = out.length > 0 ? out[out.length - 1].offset + 1 : log.logEndOffset;
  }
  return out;
}

/** Runs the cleaner until it finds nothing to do; returns the partitions it cleaned, in order. */
async function cleanUntilIdle(manager: LogManager): Promise<string[]> {
  const cleaned: string[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const run = await manager.runCleanerOnce();
    if (run === null) return cleaned;
    cleaned.push(`${run.topic}-${run.partition}`);
  }
  throw new Error('the cleaner never went idle');
}

describe('LogManager: which compacted partition the cleaner picks', () => {
  // 50 partitions cleaned with durable writes take seconds on a busy 2-core machine
  jest.setTimeout(30_000);
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let manager: LogManager;
  const users: TopicPartition = { topic: 'users', partition: 0 };
  const offsets = (i: number): TopicPartition => ({ topic: '__consumer_offsets', partition: i });

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: COMPACTED });
  });
  afterEach(() => {
    manager.close();
    cleanup();
  });

  /** 50 internal partitions, cleaned once, then each given a little new data (dirty ratio well under 0.5). */
  async function manyMostlyCleanPartitions(): Promise<void> {
    for (let i = 0; i < 50; i++) append(manager.createLog(offsets(i)), clock, range('group-', 0, 60));
    expect(await cleanUntilIdle(manager)).toHaveLength(50);
    for (let i = 0; i < 50; i++) append(manager.getLog(offsets(i)) as PartitionLog, clock, range('group-', 60, 80));
  }

  it('cleans the dirtiest partition first, not the next one in turn, and leaves partitions under min.cleanable.dirty.ratio alone', async () => {
    await manyMostlyCleanPartitions();
    append(manager.createLog(users), clock, Array.from({ length: 60 }, (_, i) => `user-${i % 5}`));

    const run = await manager.runCleanerOnce();
    expect(run).toMatchObject({ ...users, dirtyRatio: 1 });
    expect(run?.result.recordsRemoved).toBeGreaterThan(0);
    // the internal partitions are about 20% dirty: under the default ratio of 0.5, nothing to do
    expect((await manager.runCleanerOnce())).toBeNull();
  });

  it('cleans a partition under its ratio once a topic lowers min.cleanable.dirty.ratio, dirtiest first', async () => {
    await manyMostlyCleanPartitions();
    append(manager.getLog(offsets(7)) as PartitionLog, clock, range('group-', 80, 100)); // the dirtiest one
    for (let i = 0; i < 50; i++) manager.getLog(offsets(i))?.reconfigure({ ...COMPACTED, minCleanableDirtyRatio: 0.1 });
    const order = await cleanUntilIdle(manager);
    expect(order[0]).toBe('__consumer_offsets-7');
    expect(new Set(order).size).toBe(50);
  });

  it('keeps what it cleaned across a restart (cleaner-offset-checkpoint), so clean partitions are not cleaned again', async () => {
    for (let i = 0; i < 5; i++) append(manager.createLog(offsets(i)), clock, range('group-', 0, 60));
    expect(await cleanUntilIdle(manager)).toHaveLength(5);
    manager.close();
    const lines = fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT_FILE), 'utf8').trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['0', '5']);
    expect(lines.slice(2).sort()).toEqual([0, 1, 2, 3, 4].map((i) => expect.stringMatching(new RegExp(`^__consumer_offsets ${i} \\d+$`))));

    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: COMPACTED });
    expect((await manager.runCleanerOnce())).toBeNull();
    // a deleted partition leaves the checkpoint, so a topic created again under its name starts dirty
    manager.deleteLog(offsets(3));
    expect(fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT_FILE), 'utf8')).not.toContain('__consumer_offsets 3 ');
    append(manager.createLog(offsets(3)), clock, range('group-', 0, 60));
    expect((await manager.runCleanerOnce())).toMatchObject({ ...offsets(3), dirtyRatio: 1 });
  });

  it('finds nothing dirty after a restart even where cleaning left offset gaps at segment ends', async () => {
    const log = manager.createLog(users);
    // each segment ends with records superseded later: the cleaned segments end before the next begins
    append(log, clock, Array.from({ length: 120 }, (_, i) => `user-${i % 30}-${'v'.repeat(20)}`));
    expect(await cleanUntilIdle(manager)).toEqual(['users-0']);
    manager.close();
    manager = LogManager.open({ dataDir: dir, clock, defaultConfig: COMPACTED });
    expect((await manager.runCleanerOnce())).toBeNull();
  });

  it('rewrites the clean part against the keys of the dirty part only: superseded records go, the rest stay', async () => {
    const log = manager.createLog(users);
    append(log, clock, range('user-', 0, 40));
    expect((await manager.runCleanerOnce())).toMatchObject(users);
    clock.advance(1000);
    append(log, clock, ['user-3', ...range('filler-', 0, 40)]);
    const run = await manager.runCleanerOnce();
    expect(run).toMatchObject(users);
    const below = (run?.result.cleanedUpToOffset as number) - 1;
    const byKey = new Map<string, string[]>();
    for (const r of allRecords(log).filter((r) => r.offset <= below)) byKey.set(r.key?.toString() ?? '', [...(byKey.get(r.key?.toString() ?? '') ?? []), r.value?.toString() ?? '']);
    expect(byKey.get('user-3')).toEqual([`user-3@${clock.now}`]);
    for (const key of range('user-', 0, 40).filter((k) => k !== 'user-3')) expect(byKey.get(key)).toEqual([`${key}@${clock.now - 1000}`]);
  });

  it('counts a log as dirty again after a truncation below its checkpoint and new data in its place', async () => {
    const log = manager.createLog(users);
    append(log, clock, range('user-', 0, 100).map((key) => `${key}-${'v'.repeat(40)}`));
    const first = await manager.runCleanerOnce();
    const checkpoint = first?.result.cleanedUpToOffset as number;
    expect(checkpoint).toBeGreaterThan(50);
    // as a follower does when the new leader's log diverged: cut far below, write other records
    log.truncateTo(10);
    append(log, clock, Array.from({ length: checkpoint - 10 + 5 }, (_, i) => `again-${i % 3}`));
    append(log, clock, range('tail-', 0, 40));
    expect(log.segmentBaseOffsets()).not.toContain(checkpoint);

    const run = await manager.runCleanerOnce();
    expect(run).toMatchObject({ ...users, dirtyRatio: 1 });
    const cleaned = allRecords(log).filter((r) => r.offset < (run?.result.cleanedUpToOffset as number));
    // the rewritten range is compacted too: one record per key, whatever the old checkpoint said
    const keys = cleaned.map((r) => r.key?.toString());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k?.startsWith('again-'))).toHaveLength(3);
  });

  it('waits for min.compaction.lag.ms, and cleans under the ratio once dirty data is older than max.compaction.lag.ms', async () => {
    const log = manager.createLog(users, { ...COMPACTED, minCompactionLagMs: 10_000, maxCompactionLagMs: 60_000, minCleanableDirtyRatio: 0.9 });
    append(log, clock, range('user-', 0, 60));
    expect((await manager.runCleanerOnce())).toBeNull(); // all of it younger than min.compaction.lag.ms
    clock.advance(10_000);
    expect((await manager.runCleanerOnce())).toMatchObject({ ...users, dirtyRatio: 1 });
    append(log, clock, range('user-', 0, 20));
    clock.advance(10_000);
    expect((await manager.runCleanerOnce())).toBeNull(); // dirty, but under 0.9 and not overdue
    clock.advance(50_000);
    expect((await manager.runCleanerOnce())).toMatchObject(users);
  });

  it('does not pick a partition again and again while an open transaction keeps it from moving', async () => {
    const stuck = manager.createLog({ topic: 'txn', partition: 0 });
    stuck.appendAsLeader(encodeBatch([{ key: 'a', value: 'open' }], { producerId: 9, producerEpoch: 0, transactional: true, timestamp: clock.now }), 0);
    append(stuck, clock, range('k', 0, 60));
    const other = manager.createLog(users);
    append(other, clock, range('user-', 0, 40));
    append(other, clock, range('user-', 0, 10));

    expect((await manager.runCleanerOnce())).toMatchObject({ topic: 'txn', result: { cleanedUpToOffset: null } });
    expect((await manager.runCleanerOnce())).toMatchObject(users);
    expect((await manager.runCleanerOnce())).toBeNull();
    // a new segment may hold the marker: the partition is considered again
    append(stuck, clock, range('k', 60, 80));
    expect((await manager.runCleanerOnce())).toMatchObject({ topic: 'txn' });
  });
});
