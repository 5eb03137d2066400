import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BATCH, readHeader, validateBatch } from './batch-header';
import { InvalidBatchError, NonContiguousAppendError, OffsetOutOfRangeError } from './errors';
import { PartitionLog } from './partition-log';
import { decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir, until } from './testing/temp-dir';

function batchOf(count: number, options: { timestamp?: number; size?: number; prefix?: string } = {}): Buffer {
  const value = 'v'.repeat(options.size ?? 10);
  return encodeBatch(
    Array.from({ length: count }, (_, i) => ({ key: `${options.prefix ?? 'k'}${i}`, value: `${value}${i}` })),
    { timestamp: options.timestamp ?? 1_000 },
  );
}

function offsetsIn(records: Buffer): number[] {
  const offsets: number[] = [];
  for (let pos = 0; pos < records.length; ) {
    const header = validateBatch(records, pos, Number.MAX_SAFE_INTEGER);
    for (const record of decodeRecords(records, pos)) offsets.push(record.offset);
    pos += header.sizeInBytes;
  }
  return offsets;
}

describe('PartitionLog', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let log: PartitionLog;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    log = PartitionLog.open(path.join(dir, 'topic-0'), { clock, config: { segmentBytes: 4096, indexIntervalBytes: 256 } });
  });

  afterEach(() => {
    try {
      log.close();
    } catch {
      /* already closed by the test */
    }
    cleanup();
  });

  describe('appendAsLeader', () => {
    it('assigns consecutive offsets by patching base offset and leader epoch in place', () => {
      const first = log.appendAsLeader(batchOf(3), 7);
      const second = log.appendAsLeader(batchOf(2), 7);
      expect(first).toMatchObject({ firstOffset: 0, lastOffset: 2, batchCount: 1, logAppendTimeMs: -1 });
      expect(second).toMatchObject({ firstOffset: 3, lastOffset: 4 });
      expect(log.logEndOffset).toBe(5);
      const read = log.read(0, 1 << 20).records;
      expect(offsetsIn(read)).toEqual([0, 1, 2, 3, 4]);
      expect(read.readInt32BE(BATCH.PARTITION_LEADER_EPOCH)).toBe(7);
      expect(log.leaderEpochs.all()).toEqual([{ epoch: 7, startOffset: 0 }]);
    });

    it('stores the bytes exactly as sent apart from the patched header fields', () => {
      const sent = batchOf(4);
      const copy = Buffer.from(sent);
      log.appendAsLeader(batchOf(1), 0);
      log.appendAsLeader(sent, 0);
      const stored = log.read(1, 1 << 20).records;
      expect(stored.subarray(BATCH.MAGIC)).toEqual(copy.subarray(BATCH.MAGIC));
      expect(Number(stored.readBigInt64BE(0))).toBe(1);
    });

    it('accepts several batches in one append', () => {
      const info = log.appendAsLeader(Buffer.concat([batchOf(2), batchOf(3)]), 1);
      expect(info).toMatchObject({ firstOffset: 0, lastOffset: 4, batchCount: 2 });
      expect(offsetsIn(log.read(0, 1 << 20).records)).toEqual([0, 1, 2, 3, 4]);
    });

    it('stamps LogAppendTime with a valid CRC when configured', () => {
      const logAppend = PartitionLog.open(path.join(dir, 'lat-0'), { clock, config: { messageTimestampType: 'LogAppendTime' } });
      const info = logAppend.appendAsLeader(batchOf(2, { timestamp: 5 }), 0);
      expect(info.logAppendTimeMs).toBe(clock.now);
      const stored = logAppend.read(0, 1 << 20).records;
      const header = validateBatch(stored, 0, 1 << 20); // CRC still valid
      expect(header.maxTimestamp).toBe(clock.now);
      expect(header.attributes & 0x08).toBe(0x08);
      logAppend.close();
    });

    const corruptions: [string, (b: Buffer) => Buffer, string][] = [
      ['a flipped byte in the records', (b) => (b[b.length - 1] ^= 0xff, b), 'corrupt-crc'],
      ['a wrong magic byte', (b) => (b.writeInt8(1, BATCH.MAGIC), b), 'bad-magic'],
      ['a cut batch', (b) => b.subarray(0, b.length - 3), 'truncated'],
      ['a length shorter than the header', (b) => (b.writeInt32BE(10, BATCH.LENGTH), b), 'invalid-length'],
      ['garbage shorter than a header', () => Buffer.from('hello'), 'truncated'],
    ];
    it.each(corruptions)('rejects %s with a typed error and writes nothing', (_name, corrupt, reason) => {
      log.appendAsLeader(batchOf(1), 0);
      const good = batchOf(2);
      const bad = corrupt(batchOf(2));
      expect(() => log.appendAsLeader(Buffer.concat([good, bad]), 0)).toThrow(expect.objectContaining({ reason }));
      expect(log.logEndOffset).toBe(1);
      expect(log.read(0, 1 << 20).records.length).toBe(batchOf(1).length);
    });

    it('rejects an append with no batch at all', () => {
      expect(() => log.appendAsLeader(Buffer.alloc(0), 0)).toThrow(expect.objectContaining({ reason: 'empty' }));
      expect(log.logEndOffset).toBe(0);
    });

    it('rejects a record count that does not match lastOffsetDelta', () => {
      const batch = batchOf(3);
      batch.writeInt32BE(5, BATCH.RECORDS_COUNT);
      batch.writeUInt32BE(crc32c(batch.subarray(BATCH.ATTRIBUTES)), BATCH.CRC);
      expect(() => log.appendAsLeader(batch, 0)).toThrow(InvalidBatchError);
      expect(log.logEndOffset).toBe(0);
    });

    it('rejects a batch larger than max.message.bytes', () => {
      const small = PartitionLog.open(path.join(dir, 'small-0'), { clock, config: { maxMessageBytes: 200 } });
      expect(() => small.appendAsLeader(batchOf(20), 0)).toThrow(expect.objectContaining({ reason: 'too-large' }));
      small.close();
    });
  });

  describe('segments', () => {
    it('rolls by size and reads across segments', () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), 0);
      expect(log.segmentCount).toBeGreaterThan(3);
      const offsets: number[] = [];
      let next = 0;
      for (let guard = 0; next < log.logEndOffset && guard < 1000; guard++) {
        const got = offsetsIn(log.read(next, 1000).records);
        offsets.push(...got);
        next = got[got.length - 1] + 1;
      }
      expect(offsets).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });

    it('rolls by age (segment.ms)', () => {
      const aged = PartitionLog.open(path.join(dir, 'aged-0'), { clock, config: { segmentMs: 1000 } });
      aged.appendAsLeader(batchOf(1), 0);
      clock.advance(1500);
      aged.appendAsLeader(batchOf(1), 0);
      expect(aged.segmentBaseOffsets()).toEqual([0, 1]);
      aged.close();
    });

    it('names segment files by their 20-digit base offset', () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), 0);
      const files = fs.readdirSync(path.join(dir, 'topic-0'));
      expect(files).toContain('00000000000000000000.log');
      expect(files).toContain('00000000000000000000.index');
      expect(files).toContain('00000000000000000000.timeindex');
      for (const base of log.segmentBaseOffsets()) expect(files).toContain(`${String(base).padStart(20, '0')}.log`);
    });
  });

  describe('read', () => {
    beforeEach(() => {
      for (let i = 0; i < 10; i++) log.appendAsLeader(batchOf(2), 0);
    });

    it('returns whole batches up to maxBytes', () => {
      const one = batchOf(2).length;
      expect(log.read(0, one * 3 + 5).records.length).toBe(one * 3);
    });

    it('returns at least one batch even when it is larger than maxBytes', () => {
      expect(offsetsIn(log.read(4, 1).records)).toEqual([4, 5]);
    });

    it('starts at the batch holding the requested offset', () => {
      expect(offsetsIn(log.read(5, 1).records)).toEqual([4, 5]);
    });

    it('stops before batches that reach upToOffset (the high watermark)', () => {
      expect(offsetsIn(log.read(0, 1 << 20, 6).records)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(log.read(6, 1 << 20, 6).records.length).toBe(0);
      expect(log.read(6, 1 << 20, 7).records.length).toBe(0); // batch 6-7 is not complete below 7
    });

    it('answers empty at the log end and out of range beyond it or below the start', () => {
      expect(log.read(20, 100).records.length).toBe(0);
      expect(() => log.read(21, 100)).toThrow(OffsetOutOfRangeError);
      log.advanceLogStartOffset(4);
      expect(() => log.read(3, 100)).toThrow(OffsetOutOfRangeError);
    });
  });

  describe('reads that continue where the last one ended', () => {
    it('readers tailing the log get every offset once, in order, across rolls, whatever their maxBytes and high watermark', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ append: fc.integer({ min: 0, max: 4 }), records: fc.integer({ min: 1, max: 6 }), reader: fc.integer({ min: 0, max: 2 }), maxBytes: fc.integer({ min: 1, max: 3000 }), lag: fc.integer({ min: 0, max: 8 }) }), { maxLength: 60 }),
          (steps) => {
            const tail = PartitionLog.open(path.join(dir, `tail-${Math.random()}`), { clock, config: { segmentBytes: 2048, indexIntervalBytes: 256 } });
            try {
              const next = [0, 0, 0];
              const seen: number[][] = [[], [], []];
              for (const step of steps) {
                for (let i = 0; i < step.append; i++) tail.appendAsLeader(batchOf(step.records, { size: 30 }), 0);
                const highWatermark = Math.max(next[step.reader], tail.logEndOffset - step.lag);
                const offsets = offsetsIn(tail.read(next[step.reader], step.maxBytes, highWatermark).records).filter((o) => o >= next[step.reader]);
                seen[step.reader].push(...offsets);
                if (offsets.length > 0) next[step.reader] = offsets[offsets.length - 1] + 1;
              }
              for (const offsets of seen) expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => i));
            } finally {
              tail.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('a read after a truncation starts at the batch now holding the offset, not where the last read ended', () => {
      for (let i = 0; i < 10; i++) log.appendAsLeader(batchOf(2), 0);
      expect(offsetsIn(log.read(0, 1 << 20).records)).toHaveLength(20); // this read ended at offset 20
      log.truncateTo(16);
      for (let i = 0; i < 3; i++) log.appendAsLeader(batchOf(3, { prefix: 'after', size: 25 }), 1);
      const records = log.read(20, 1 << 20).records;
      expect(offsetsIn(records)).toEqual([19, 20, 21, 22, 23, 24]);
      expect(decodeRecords(records, 0)[0].key?.toString()).toBe('after0');
    });
  });

  describe('follower operations', () => {
    it('appends replicated batches with their offsets and learns leader epochs', () => {
      const leader = PartitionLog.open(path.join(dir, 'leader-0'), { clock });
      leader.appendAsLeader(batchOf(3), 1);
      leader.appendAsLeader(batchOf(2), 2);
      log.appendAsFollower(Buffer.from(leader.read(0, 1 << 20).records));
      expect(log.logEndOffset).toBe(5);
      expect(log.leaderEpochs.all()).toEqual([
        { epoch: 1, startOffset: 0 },
        { epoch: 2, startOffset: 3 },
      ]);
      expect(log.leaderEpochs.endOffsetFor(1, log.logEndOffset)).toEqual({ epoch: 1, endOffset: 3 });
      const gap = leader.read(3, 1 << 20).records;
      expect(() => log.appendAsFollower(Buffer.from(gap))).toThrow(NonContiguousAppendError);
      leader.close();
    });

    it('truncates to an offset, dropping later segments and epochs', () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), i < 20 ? 1 : 2);
      log.truncateTo(52);
      expect(log.logEndOffset).toBe(50); // the batch 50-54 straddles 52 and goes whole
      expect(log.leaderEpochs.all()).toEqual([{ epoch: 1, startOffset: 0 }]);
      expect(offsetsIn(log.read(45, 1 << 20).records)).toEqual([45, 46, 47, 48, 49]);
      log.appendAsLeader(batchOf(1), 3);
      expect(log.logEndOffset).toBe(51);
    });

    it('truncates fully and restarts at an offset', () => {
      log.appendAsLeader(batchOf(3), 0);
      log.truncateFullyAndStartAt(100);
      expect([log.logStartOffset, log.logEndOffset]).toEqual([100, 100]);
      expect(log.appendAsLeader(batchOf(1), 0).firstOffset).toBe(100);
    });
  });

  describe('log start offset and retention', () => {
    it('DeleteRecords moves the start offset and deletes whole segments below it', () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), 0);
      const segmentsBefore = log.segmentCount;
      log.advanceLogStartOffset(120);
      expect(log.logStartOffset).toBe(120);
      expect(log.segmentCount).toBeLessThan(segmentsBefore);
      expect(log.segmentBaseOffsets()[0]).toBeLessThanOrEqual(120);
      expect(() => log.advanceLogStartOffset(1000)).toThrow(OffsetOutOfRangeError);
      log.close();
      log = PartitionLog.open(path.join(dir, 'topic-0'), { clock, config: { segmentBytes: 4096 } });
      expect(log.logStartOffset).toBe(120);
    });

    it('deletes segments older than retention.ms, rolling an expired active segment', () => {
      const retained = PartitionLog.open(path.join(dir, 'ret-0'), { clock, config: { retentionMs: 60_000, segmentBytes: 2048 } });
      for (let i = 0; i < 10; i++) retained.appendAsLeader(batchOf(5, { size: 40, timestamp: clock.now }), 0);
      clock.advance(30_000);
      for (let i = 0; i < 10; i++) retained.appendAsLeader(batchOf(5, { size: 40, timestamp: clock.now }), 0);
      clock.advance(40_000);
      expect(retained.applyRetention()).toBeGreaterThan(0);
      expect(retained.logStartOffset).toBeGreaterThan(0);
      expect(retained.logStartOffset).toBeLessThanOrEqual(50);
      clock.advance(60_000);
      retained.applyRetention();
      expect(retained.logStartOffset).toBe(100);
      expect(retained.logEndOffset).toBe(100);
      retained.close();
    });

    it('deletes the oldest segments while the log is over retention.bytes, their files off the event loop', async () => {
      const sized = PartitionLog.open(path.join(dir, 'size-0'), { clock, config: { retentionBytes: 5000, segmentBytes: 2048 } });
      for (let i = 0; i < 40; i++) sized.appendAsLeader(batchOf(5, { size: 40 }), 0);
      sized.applyRetention();
      expect(sized.sizeInBytes).toBeLessThanOrEqual(5000 + 2048);
      expect(sized.logStartOffset).toBeGreaterThan(0);
      // what is left on disk is the retained segments, once the renamed-aside files are removed
      const logFiles = () => fs.readdirSync(sized.dir).filter((name) => name.endsWith('.log') || name.endsWith('.log.deleted'));
      await until(() => !logFiles().some((name) => name.endsWith('.deleted')));
      expect(logFiles().map((name) => Number(name.slice(0, 20))).sort((a, b) => a - b)).toEqual(sized.segmentBaseOffsets());
      sized.close();
    });
  });

  describe('timestamps', () => {
    it('finds the first record at or after a timestamp', () => {
      for (let i = 0; i < 30; i++) log.appendAsLeader(batchOf(2, { timestamp: 1000 + i * 10, size: 40 }), 0);
      expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
      expect(log.offsetForTimestamp(1105)).toEqual({ offset: 22, timestamp: 1110 });
      expect(log.offsetForTimestamp(1110)).toEqual({ offset: 22, timestamp: 1110 });
      expect(log.offsetForTimestamp(99_999)).toBeNull();
    });
  });

  describe('durability', () => {
    it('group commit: concurrent flushes share fsyncs and advance the recovery point', async () => {
      const flushes: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        log.appendAsLeader(batchOf(2), 0);
        flushes.push(log.flush());
      }
      await Promise.all(flushes);
      expect(log.recoveryPoint).toBe(100);
    });

    it('flush.messages starts a flush by itself', async () => {
      const eager = PartitionLog.open(path.join(dir, 'eager-0'), { clock, config: { flushMessages: 3 } });
      eager.appendAsLeader(batchOf(4), 0);
      await eager.flush(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(eager.recoveryPoint).toBe(4);
      eager.close();
    });

    it('reopens after a clean close with the same contents', () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), 0);
      const before = log.read(0, 1 << 20).records;
      log.close();
      log = PartitionLog.open(path.join(dir, 'topic-0'), { clock, config: { segmentBytes: 4096, indexIntervalBytes: 256 } });
      expect(log.recovery.cleanShutdown).toBe(true);
      expect(log.recovery.segmentsScanned).toBe(0);
      expect(log.logEndOffset).toBe(200);
      expect(log.read(0, 1 << 20).records).toEqual(before);
      expect(log.appendAsLeader(batchOf(1), 0).firstOffset).toBe(200);
    });

    it('an unclean open scans only the segments past the recovery point', async () => {
      for (let i = 0; i < 40; i++) log.appendAsLeader(batchOf(5, { size: 40 }), 0);
      await log.flush();
      log.checkpointRecoveryPoint();
      log.appendAsLeader(batchOf(5), 0);
      // simulate a crash: no close(), reopen the directory as a new process would
      const reopened = PartitionLog.open(path.join(dir, 'topic-0'), { clock, config: { segmentBytes: 4096 } });
      expect(reopened.recovery.cleanShutdown).toBe(false);
      expect(reopened.recovery.segmentsScanned).toBe(1);
      expect(reopened.logEndOffset).toBe(205);
      reopened.close();
    });
  });

  it('rewrites the recovery-point checkpoint only when the flushed offset moved (idle partitions cost no fsync)', async () => {
    const file = path.join(dir, 'topic-0', 'recovery-point-offset-checkpoint');
    log.appendAsLeader(batchOf(3), 0);
    await log.flush();
    log.checkpointRecoveryPoint();
    const lastLine = () => fs.readFileSync(file, 'utf8').trim().split('\n').pop();
    expect(lastLine()).toBe('3');
    // planted: a rewrite would put 3 back, so a 2 that stays means the file was left alone
    fs.writeFileSync(file, '0\n1\n2\n');
    log.checkpointRecoveryPoint();
    log.checkpointRecoveryPoint();
    expect(lastLine()).toBe('2');
    log.appendAsLeader(batchOf(2), 0);
    await log.flush();
    log.checkpointRecoveryPoint();
    expect(lastLine()).toBe('5');
  });

  it('keeps sparse indexes: one entry per index.interval.bytes', () => {
    for (let i = 0; i < 20; i++) log.appendAsLeader(batchOf(1, { size: 10 }), 0);
    const indexSize = fs.statSync(path.join(dir, 'topic-0', '00000000000000000000.index')).size;
    const logSize = fs.statSync(path.join(dir, 'topic-0', '00000000000000000000.log')).size;
    expect(indexSize / 8).toBeLessThanOrEqual(Math.ceil(logSize / 256) + 1);
    expect(readHeader(log.read(19, 100).records, 0).baseOffset).toBe(19);
  });
});
