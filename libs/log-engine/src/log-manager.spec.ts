import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager, parsePartitionDirName, partitionDirName } from './log-manager';
import { encodeBatch } from './records';
import { ManualClock, tempDir, until } from './testing/temp-dir';

describe('LogManager', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('creates partition logs as <topic>-<partition> and reopens them all at startup', () => {
    const manager = LogManager.open({ dataDir: dir });
    manager.createLog({ topic: 'orders', partition: 0 }).appendAsLeader(encodeBatch([{ value: 'a' }]), 0);
    manager.createLog({ topic: 'orders', partition: 1 });
    manager.createLog({ topic: 'my-topic.v2', partition: 12 }).appendAsLeader(encodeBatch([{ value: 'b' }, { value: 'c' }]), 0);
    manager.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['my-topic.v2-12', 'orders-0', 'orders-1']);

    const reopened = LogManager.open({ dataDir: dir });
    expect(reopened.partitions().map(partitionDirName).sort()).toEqual(['my-topic.v2-12', 'orders-0', 'orders-1']);
    expect(reopened.getLog({ topic: 'my-topic.v2', partition: 12 })?.logEndOffset).toBe(2);
    expect(reopened.getLog({ topic: 'orders', partition: 0 })?.logEndOffset).toBe(1);
    reopened.close();
  });

  it('deletes a partition so that a restart never sees it again', async () => {
    const manager = LogManager.open({ dataDir: dir });
    manager.createLog({ topic: 't', partition: 0 }).appendAsLeader(encodeBatch([{ value: 'a' }]), 0);
    expect(manager.deleteLog({ topic: 't', partition: 0 })).toBe(true);
    expect(manager.deleteLog({ topic: 't', partition: 0 })).toBe(false);
    manager.close();
    // at once renamed aside, then its files are removed off the event loop
    expect(fs.readdirSync(dir).filter((name) => !name.endsWith('-delete'))).toEqual([]);
    expect(LogManager.open({ dataDir: dir }).partitions()).toEqual([]);
    await until(() => fs.readdirSync(dir).length === 0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('finishes a deletion interrupted by a crash', () => {
    fs.mkdirSync(path.join(dir, 't-0.abc-delete'));
    const manager = LogManager.open({ dataDir: dir });
    expect(manager.partitions()).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
    manager.close();
  });

  it('rejects invalid topic names and partitions', () => {
    const manager = LogManager.open({ dataDir: dir });
    expect(() => manager.createLog({ topic: '../etc', partition: 0 })).toThrow(/invalid topic name/);
    expect(() => manager.createLog({ topic: 'ok', partition: -1 })).toThrow(/invalid partition/);
    expect(() => manager.createLog({ topic: 'a'.repeat(250), partition: 0 })).toThrow(/invalid topic name/);
    manager.close();
  });

  it('parses directory names with dashes in the topic', () => {
    expect(parsePartitionDirName('a-b-c-7')).toEqual({ topic: 'a-b-c', partition: 7 });
    expect(parsePartitionDirName('nope')).toBeNull();
  });

  it('runs retention across all logs', () => {
    const clock = new ManualClock();
    const manager = LogManager.open({ dataDir: dir, clock, defaultConfig: { retentionMs: 1000, segmentBytes: 1024 } });
    const log = manager.createLog({ topic: 't', partition: 0 });
    for (let i = 0; i < 20; i++) log.appendAsLeader(encodeBatch([{ value: 'x'.repeat(100) }], { timestamp: clock.now }), 0);
    clock.advance(5000);
    expect(manager.runRetention()).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(20);
    manager.close();
  });
});
