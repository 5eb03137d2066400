import * as fs from 'node:fs';
import { LogManager, TopicPartition } from './log-manager';
import { PartitionLog } from './partition-log';
import { encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';

/** 60 single-record batches over 5 keys, in 1 KiB segments: plenty for the cleaner to remove. */
function fillWithDuplicates(log: PartitionLog, clock: ManualClock): void {
  for (let i = 0; i < 60; i++) log.appendAsLeader(encodeBatch([{ key: `k${i % 5}`, value: `v${i}` }], { timestamp: clock.now }), 0);
}

describe('LogManager: a partition that fails to clean', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let manager: LogManager;
  let failures: { tp: TopicPartition; error: Error; retryAtMs: number }[];
  const torn: TopicPartition = { topic: 'torn', partition: 0 };
  const healthy: TopicPartition = { topic: 'healthy', partition: 0 };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    failures = [];
    manager = LogManager.open({
      dataDir: dir,
      clock,
      defaultConfig: { cleanupPolicy: 'compact', segmentBytes: 1024 },
      cleanerFailureBackoffMs: 60_000,
      onCleanerError: (tp, error, retryAtMs) => failures.push({ tp, error, retryAtMs }),
    });
    fillWithDuplicates(manager.createLog(torn), clock);
    fillWithDuplicates(manager.createLog(healthy), clock);
  });
  afterEach(() => {
    manager.close();
    cleanup();
  });

  /** Cuts the oldest segment file in the middle of a batch, behind the log's back. */
  function tearFirstSegment(): { file: string; size: number; cut: Buffer } {
    const file = (manager.getLog(torn) as PartitionLog).inactiveSegments()[0].logPath;
    const whole = fs.readFileSync(file);
    fs.truncateSync(file, whole.length - 7);
    return { file, size: whole.length - 7, cut: whole.subarray(whole.length - 7) };
  }

  it('is reported and set aside instead of throwing out of the scheduler, and its file is not rewritten', async () => {
    const { file, size } = tearFirstSegment();
    for (let run = 0; run < 2; run++) await manager.runCleanerOnce(); // contained: resolves, never rejects (a rejection fails the test)

    expect(failures).toHaveLength(1);
    expect(failures[0].tp).toEqual(torn);
    expect(failures[0].error.message).toMatch(/cannot clean .*torn-0.*file ends early/);
    expect(failures[0].retryAtMs).toBe(clock.now + 60_000);
    expect(manager.uncleanablePartitions()).toEqual([{ ...torn, error: failures[0].error.message, failures: 1, retryAtMs: clock.now + 60_000 }]);
    // the torn segment is left as it was: a rewrite from what could be read would lose the rest
    expect(fs.statSync(file).size).toBe(size);
    expect((manager.getLog(torn) as PartitionLog).logEndOffset).toBe(60);
  });

  it('does not keep the other compacted partitions from being cleaned', async () => {
    tearFirstSegment();
    const healthyBytes = (manager.getLog(healthy) as PartitionLog).sizeInBytes;
    for (let run = 0; run < 3; run++) await manager.runCleanerOnce();
    expect((manager.getLog(healthy) as PartitionLog).sizeInBytes).toBeLessThan(healthyBytes);
  });

  it('is retried only after its backoff, which doubles while it keeps failing, and leaves the list once it cleans', async () => {
    const { file, cut } = tearFirstSegment();
    const runAll = async () => {
      for (let run = 0; run < 3; run++) await manager.runCleanerOnce();
    };
    await runAll();
    expect(failures).toHaveLength(1);
    clock.advance(59_999);
    await runAll();
    expect(failures).toHaveLength(1); // still backing off: no tight retry loop
    clock.advance(1);
    await runAll();
    expect(failures).toHaveLength(2);
    expect(failures[1].retryAtMs).toBe(clock.now + 120_000);
    expect(manager.uncleanablePartitions()[0].failures).toBe(2);

    // the file comes back whole (a transient fault); the retry after the longer backoff cleans it
    fs.appendFileSync(file, cut);
    const bytesBefore = (manager.getLog(torn) as PartitionLog).sizeInBytes;
    clock.advance(119_999);
    await runAll();
    expect((manager.getLog(torn) as PartitionLog).sizeInBytes).toBe(bytesBefore);
    clock.advance(1);
    await runAll();
    expect(failures).toHaveLength(2);
    expect(manager.uncleanablePartitions()).toEqual([]);
    expect((manager.getLog(torn) as PartitionLog).sizeInBytes).toBeLessThan(bytesBefore);
  });

  it('is no longer listed once its topic stops being compacted', async () => {
    tearFirstSegment();
    await manager.runCleanerOnce();
    expect(manager.uncleanablePartitions()).toHaveLength(1);
    manager.getLog(torn)?.reconfigure({ cleanupPolicy: 'delete', segmentBytes: 1024 });
    await manager.runCleanerOnce();
    expect(manager.uncleanablePartitions()).toEqual([]);
  });

  it('survives a listener that throws', async () => {
    manager.close();
    manager = LogManager.open({
      dataDir: dir,
      clock,
      defaultConfig: { cleanupPolicy: 'compact', segmentBytes: 1024 },
      onCleanerError: () => {
        throw new Error('listener failed');
      },
    });
    tearFirstSegment();
    for (let run = 0; run < 2; run++) await manager.runCleanerOnce(); // contained: resolves, never rejects (a rejection fails the test)
    expect(manager.uncleanablePartitions().map((p) => p.topic)).toEqual(['torn']);
  });
});
