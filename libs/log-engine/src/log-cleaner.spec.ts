import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogCleaner } from './log-cleaner';
import { PartitionLog } from './partition-log';
import { LogRecord, decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';
import { BATCH, computeCrc, readBatchSize, readHeader } from './batch-header';

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

  it('keeps the latest value per key with offsets preserved, never touching the active segment', async () => {
    for (let i = 0; i < 60; i++) log.appendAsLeader(encodeBatch([{ key: `k${i % 5}`, value: `v${i}` }], { timestamp: clock.now }), 0);
    const activeBase = log.segmentBaseOffsets().at(-1) as number;
    const result = await new LogCleaner({ clock }).clean(log);
    expect(result.recordsRemoved).toBeGreaterThan(0);
    const records = allRecords(log);
    const inactive = records.filter((r) => r.offset < activeBase);
    const keys = inactive.map((r) => r.key?.toString());
    expect(new Set(keys).size).toBe(keys.length); // one record per key below the active segment
    for (const r of inactive) expect(r.value?.toString()).toBe(`v${r.offset}`); // offsets preserved
    expect(records.filter((r) => r.offset >= activeBase).length).toBe(60 - activeBase); // active untouched
    expect(log.logEndOffset).toBe(60);
  });

  it('drops tombstones only after delete.retention.ms', async () => {
    for (let i = 0; i < 20; i++) log.appendAsLeader(encodeBatch([{ key: `k${i}`, value: 'x'.repeat(40) }], { timestamp: clock.now }), 0);
    log.appendAsLeader(encodeBatch([{ key: 'k3', value: null }], { timestamp: clock.now }), 0);
    for (let i = 0; i < 20; i++) log.appendAsLeader(encodeBatch([{ key: `z${i}`, value: 'y'.repeat(40) }], { timestamp: clock.now }), 0);
    const cleaner = new LogCleaner({ clock });
    await cleaner.clean(log);
    const tombstone = () => allRecords(log).find((r) => r.key?.toString() === 'k3');
    expect(tombstone()?.value).toBeNull(); // the tombstone stays while consumers may still need it
    clock.advance(20_000);
    await cleaner.clean(log);
    expect(tombstone()).toBeUndefined();
  });

  it('survives a reopen, and a crash in the middle of a swap', async () => {
    for (let i = 0; i < 60; i++) log.appendAsLeader(encodeBatch([{ key: `k${i % 3}`, value: `v${i}` }], { timestamp: clock.now }), 0);
    await new LogCleaner({ clock }).clean(log);
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

/** One batch as a reader sees it: header fields plus its records (none for an emptied batch). */
interface SeenBatch {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  control: boolean;
  transactional: boolean;
  records: LogRecord[];
}

function allBatches(log: PartitionLog, from = log.logStartOffset): SeenBatch[] {
  const out: SeenBatch[] = [];
  let next = from;
  for (let guard = 0; guard < 10_000 && next < log.logEndOffset; guard++) {
    const bytes = log.read(next, 1 << 20).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) {
      const header = readHeader(bytes, pos);
      out.push({
        baseOffset: header.baseOffset,
        lastOffset: header.lastOffset,
        producerId: Number(bytes.readBigInt64BE(pos + BATCH.PRODUCER_ID)),
        producerEpoch: bytes.readInt16BE(pos + BATCH.PRODUCER_EPOCH),
        baseSequence: bytes.readInt32BE(pos + BATCH.BASE_SEQUENCE),
        control: (header.attributes & 0x20) !== 0,
        transactional: (header.attributes & 0x10) !== 0,
        records: decodeRecords(bytes, pos),
      });
    }
    next = out[out.length - 1].lastOffset + 1;
  }
  return out;
}

/** An end-transaction marker as a transaction coordinator writes it (key: version, type; value: version, coordinator epoch). */
function marker(type: 'commit' | 'abort', producerId: number, timestamp: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2);
  const value = Buffer.alloc(6);
  value.writeInt32BE(3, 2);
  return encodeBatch([{ key, value }], { producerId, producerEpoch: 0, transactional: true, control: true, timestamp });
}

describe('LogCleaner (transactional data)', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let log: PartitionLog;
  const config = { cleanupPolicy: 'compact' as const, segmentBytes: 1024, deleteRetentionMs: 10_000 };

  const plain = (key: string, value: string) => log.appendAsLeader(encodeBatch([{ key, value }], { timestamp: clock.now }), 0).firstOffset;
  const txn = (producerId: number, records: [string, string][]) =>
    log.appendAsLeader(encodeBatch(records.map(([key, value]) => ({ key, value })), { producerId, producerEpoch: 0, baseSequence: 0, transactional: true, timestamp: clock.now }), 0).firstOffset;
  const end = (type: 'commit' | 'abort', producerId: number) => log.appendAsLeader(marker(type, producerId, clock.now), 0).firstOffset;
  /** Enough records of other keys to push everything before into inactive segments. */
  const roll = (tag: string) => {
    for (let i = 0; i < 30; i++) plain(`filler-${tag}-${i % 3}`, `${tag}${i}-${'f'.repeat(30)}`);
  };
  const values = () => allBatches(log).flatMap((b) => (b.control ? [] : b.records.map((r) => ({ offset: r.offset, key: r.key?.toString(), value: r.value?.toString() }))));
  const latestOf = (key: string) => values().filter((r) => r.key === key);
  const markers = () => allBatches(log).filter((b) => b.control);

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    log = PartitionLog.open(path.join(dir, 'txn-compacted-0'), { clock, config });
  });
  afterEach(() => {
    log.close();
    cleanup();
  });

  it('removes aborted records and compacts committed ones with non-transactional writes, offsets preserved', async () => {
    const a1 = plain('k1', 'plain-1');
    const a2 = plain('k2', 'plain-2');
    const committed = txn(100, [
      ['k1', 'committed-1'],
      ['k3', 'committed-3'],
    ]);
    end('commit', 100);
    txn(200, [
      ['k2', 'aborted-2'],
      ['k4', 'aborted-4'],
    ]);
    end('abort', 200);
    roll('a');
    const result = await new LogCleaner({ clock }).clean(log);
    expect(result.recordsRemoved).toBeGreaterThan(0);
    expect(latestOf('k1')).toEqual([{ offset: committed, key: 'k1', value: 'committed-1' }]); // the committed write superseded the plain one
    expect(latestOf('k2')).toEqual([{ offset: a2, key: 'k2', value: 'plain-2' }]); // the aborted write superseded nothing
    expect(latestOf('k3')).toEqual([{ offset: committed + 1, key: 'k3', value: 'committed-3' }]);
    expect(latestOf('k4')).toEqual([]);
    expect(values().some((r) => r.value?.startsWith('aborted'))).toBe(false);
    expect(a1).toBe(0);
    expect(allBatches(log).find((b) => b.baseOffset === committed)?.transactional).toBe(true); // a rewritten batch stays transactional
  });

  it('touches nothing from the first unstable offset on, and cleans it once the transaction ends', async () => {
    plain('k1', 'old');
    roll('a');
    const open = txn(300, [['k1', 'open-txn']]);
    roll('b');
    plain('k1', 'newest-plain');
    roll('c');
    const before = log.read(open, 1 << 20, log.logEndOffset).records;
    const activeBase = log.segmentBaseOffsets().at(-1) as number;
    expect((await new LogCleaner({ clock }).clean(log)).recordsRemoved).toBeGreaterThan(0); // the segments below it were cleaned
    expect(log.read(open, 1 << 20, log.logEndOffset).records.equals(before)).toBe(true); // from it on, every byte as written
    // 'old' stays: what supersedes it lies past the unstable offset, where the key map does not look
    expect(latestOf('k1').map((r) => r.value)).toEqual(['old', 'open-txn', 'newest-plain']);
    expect(latestOf('filler-b-0').length).toBeGreaterThan(1);
    end('commit', 300);
    roll('d');
    expect(log.segmentBaseOffsets().at(-1)).toBeGreaterThan(activeBase);
    await new LogCleaner({ clock }).clean(log);
    expect(latestOf('k1').map((r) => r.value)).toEqual(['newest-plain']);
    expect(latestOf('filler-b-0').length).toBe(1);
  });

  it('keeps a marker while its data remains, stamps a delete horizon once alone, removes it after delete.retention.ms', async () => {
    const abortMarkerData = txn(400, [['k1', 'aborted']]);
    const abortMarker = end('abort', 400);
    txn(400, [['k2', 'committed']]);
    const commitMarker = end('commit', 400); // producer 400's last batch: its header is kept for the producer state
    roll('a');
    const cleaner = new LogCleaner({ clock });
    await cleaner.clean(log);
    expect(values().some((r) => r.offset === abortMarkerData)).toBe(false);
    expect(markers().map((b) => b.baseOffset)).toEqual([abortMarker, commitMarker]); // the abort's data was there when this run began
    await cleaner.clean(log);
    expect(markers().map((b) => b.baseOffset)).toEqual([abortMarker, commitMarker]); // alone now: horizon stamped, still readable
    expect(markers()[0].records.map((r) => r.timestamp)).toEqual([clock.now]); // record timestamps unchanged by the horizon
    clock.advance(9_000);
    await cleaner.clean(log);
    expect(markers().map((b) => b.baseOffset)).toEqual([abortMarker, commitMarker]);
    clock.advance(2_000);
    await cleaner.clean(log);
    expect(markers().map((b) => b.baseOffset)).toEqual([commitMarker]); // the commit's data is still in the log
  });

  it("keeps each producer's last batch (a data batch as an empty header), so epoch and sequence survive a rebuild", async () => {
    // an idempotent producer whose every record is later overwritten, last sequence 4
    for (let seq = 0; seq < 5; seq++) log.appendAsLeader(encodeBatch([{ key: 'k1', value: `idem-${seq}` }], { producerId: 500, producerEpoch: 2, baseSequence: seq, timestamp: clock.now }), 0);
    // a transactional producer whose only (aborted) transaction ends in a marker
    txn(600, [['k9', 'aborted']]);
    const lonelyMarker = end('abort', 600);
    plain('k1', 'overwritten');
    roll('a');
    const cleaner = new LogCleaner({ clock });
    for (let run = 0; run < 3; run++) {
      await cleaner.clean(log);
      clock.advance(11_000);
    }
    const of = (producerId: number) => allBatches(log).filter((b) => b.producerId === producerId);
    expect(of(500)).toEqual([expect.objectContaining({ baseSequence: 4, producerEpoch: 2, records: [] })]);
    expect(of(600)).toEqual([expect.objectContaining({ baseOffset: lonelyMarker, control: true })]); // whole: its epochs live in its record
    expect(of(600)[0].records.length).toBe(1);
    expect(latestOf('k1').map((r) => r.value)).toEqual(['overwritten']);
  });

  it('is copied as it is by a follower that fetches it after the cleaning (gaps, empty headers, stamped markers)', async () => {
    for (let seq = 0; seq < 3; seq++) log.appendAsLeader(encodeBatch([{ key: 'k1', value: `idem-${seq}` }], { producerId: 900, producerEpoch: 0, baseSequence: seq, timestamp: clock.now }), 0);
    txn(901, [['k2', 'aborted']]);
    end('abort', 901);
    txn(902, [['k3', 'committed']]);
    end('commit', 902);
    plain('k1', 'overwritten');
    roll('a');
    const cleaner = new LogCleaner({ clock });
    await cleaner.clean(log);
    await cleaner.clean(log); // the abort marker is alone now: stamped with its horizon
    const follower = PartitionLog.open(path.join(dir, 'follower-0'), { clock, config });
    try {
      for (let next = log.logStartOffset, guard = 0; next < log.logEndOffset && guard < 1_000; guard++) {
        const bytes = log.read(next, 4096).records;
        follower.appendAsFollower(bytes);
        next = follower.logEndOffset;
      }
      expect(allBatches(follower)).toEqual(allBatches(log));
      expect(allBatches(log).some((b) => b.producerId === 900 && b.records.length === 0)).toBe(true); // an empty header went across
    } finally {
      follower.close();
    }
  });

  it('keeps a batch whose records do not parse as it is, and cleans around it', async () => {
    const garbage = encodeBatch([{ key: 'k1', value: 'will-be-mangled' }], { timestamp: clock.now });
    garbage.fill(0xff, BATCH.HEADER_SIZE); // records bytes that do not decode, under a valid CRC
    garbage.writeUInt32BE(computeCrc(garbage, 0, garbage.length), BATCH.CRC);
    const mangled = log.appendAsLeader(garbage, 0).firstOffset;
    txn(950, [['k2', 'aborted']]);
    end('abort', 950);
    roll('a');
    const result = await new LogCleaner({ clock }).clean(log); // a batch that does not parse never rejects the clean
    expect(result.recordsRemoved).toBeGreaterThan(0);
    expect(log.read(mangled, 1 << 20).records.subarray(0, garbage.length).equals(garbage)).toBe(true);
    const after = allBatches(log, mangled + 1).flatMap((b) => b.records.map((r) => r.value?.toString()));
    expect(after).not.toContain('aborted');
  });

  it('reads batches larger than its 1 MiB read chunk whole', async () => {
    log.close();
    log = PartitionLog.open(path.join(dir, 'big-0'), { clock, config: { ...config, segmentBytes: 2 << 20, maxMessageBytes: 4 << 20 } });
    const big = 'b'.repeat((1 << 20) + 5_000);
    for (let i = 0; i < 4; i++) plain(`small-${i % 2}`, `s${i}`);
    plain('big', big); // straddles the first 1 MiB read of the segment
    for (let i = 0; i < 4; i++) plain(`small-${i % 2}`, `t${i}`);
    plain('big', big); // does not fit in 2 MiB with the first: starts the active segment
    plain('last', 'x');
    expect(log.segmentBaseOffsets()).toEqual([0, 9]);
    expect((await new LogCleaner({ clock }).clean(log)).recordsRemoved).toBe(6);
    expect(values().map((r) => [r.offset, r.key, r.value?.length === big.length ? 'big' : r.value])).toEqual([
      [4, 'big', 'big'],
      [7, 'small-0', 't2'],
      [8, 'small-1', 't3'],
      [9, 'big', 'big'],
      [10, 'last', 'x'],
    ]);
    expect(values()[0].value).toBe(big);
  });

  it('reads the same after a reopen of the cleaned log', async () => {
    txn(700, [['k1', 'committed']]);
    end('commit', 700);
    txn(800, [['k1', 'aborted']]);
    end('abort', 800);
    roll('a');
    const cleaner = new LogCleaner({ clock });
    await cleaner.clean(log);
    await cleaner.clean(log);
    const before = allBatches(log);
    const headers: number[] = [];
    log.forEachBatchHeader(0, (h) => headers.push(h.baseOffset));
    log.close();
    log = PartitionLog.open(path.join(dir, 'txn-compacted-0'), { clock, config });
    expect(allBatches(log)).toEqual(before);
    const reopened: number[] = [];
    log.forEachBatchHeader(0, (h) => reopened.push(h.baseOffset));
    expect(reopened).toEqual(headers);
    expect(latestOf('k1').map((r) => r.value)).toEqual(['committed']);
  });
});
