import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ATTR_COMPRESSION_MASK, BATCH, computeCrc, readBatchSize, readHeader } from './batch-header';
import { LogCleaner } from './log-cleaner';
import { PartitionLog } from './partition-log';
import { BatchCodec, LogRecord, NewRecord, decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';

const GZIP = 1;

/** A real codec (gzip from node:zlib), as the broker supplies one from libs/protocol for all of Kafka's codecs. */
const gzipCodec: BatchCodec = {
  decodeRecords(batch: Buffer): LogRecord[] {
    return decodeRecords(withRecordsSection(batch, zlib.gunzipSync(batch.subarray(BATCH.HEADER_SIZE)), 0));
  },
  compressRecords(compression: number, records: Buffer): Buffer {
    if (compression !== GZIP) throw new Error(`test codec has only gzip, not ${compression}`);
    return zlib.gzipSync(records);
  },
};

/** The batch with another records section and compression id, length and CRC fixed. */
function withRecordsSection(batch: Buffer, records: Buffer, compression: number): Buffer {
  const out = Buffer.concat([batch.subarray(0, BATCH.HEADER_SIZE), records]);
  out.writeInt32BE(out.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  out.writeInt16BE((out.readInt16BE(BATCH.ATTRIBUTES) & ~ATTR_COMPRESSION_MASK) | compression, BATCH.ATTRIBUTES);
  out.writeUInt32BE(computeCrc(out, 0, out.length), BATCH.CRC);
  return out;
}

function gzipBatch(records: NewRecord[], timestamp: number): Buffer {
  const plain = encodeBatch(records, { timestamp });
  return withRecordsSection(plain, zlib.gzipSync(plain.subarray(BATCH.HEADER_SIZE)), GZIP);
}

/** Every stored batch: its compression id and its records (decoded through the codec when compressed). */
function storedBatches(log: PartitionLog): { compression: number; records: LogRecord[] }[] {
  const out: { compression: number; records: LogRecord[] }[] = [];
  let next = log.logStartOffset;
  // a read returns one segment's batches at most: go on from the last one
  for (let guard = 0; guard < 10_000 && next < log.logEndOffset; guard++) {
    const bytes = log.read(next, 1 << 24).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) {
      const batch = bytes.subarray(pos, pos + readBatchSize(bytes, pos));
      const header = readHeader(batch, 0);
      const compression = header.attributes & ATTR_COMPRESSION_MASK;
      out.push({ compression, records: compression === 0 ? decodeRecords(batch) : gzipCodec.decodeRecords(batch) });
      next = header.lastOffset + 1;
    }
  }
  return out;
}

describe('LogCleaner: compressed batches', () => {
  let dir: string;
  let cleanup: () => void;
  let clock: ManualClock;
  let log: PartitionLog;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    clock = new ManualClock();
    log = PartitionLog.open(path.join(dir, 'compacted-0'), { clock, batchCodec: gzipCodec, config: { cleanupPolicy: 'compact', segmentBytes: 1024 } });
    // 40 gzip batches of 5 records over 8 keys: each key is rewritten many times
    for (let b = 0; b < 40; b++) {
      const records = Array.from({ length: 5 }, (_, i) => ({ key: `k${(b * 5 + i) % 8}`, value: `v${b * 5 + i}-${'p'.repeat(30)}` }));
      log.appendAsLeader(gzipBatch(records, clock.now), 0);
    }
  });
  afterEach(() => {
    log.close();
    cleanup();
  });

  it('compacts the records of compressed batches and writes the survivors back with the same codec', async () => {
    const activeBase = log.segmentBaseOffsets().at(-1) as number;
    const result = await new LogCleaner({ clock, batchCodec: gzipCodec }).clean(log);
    expect(result.recordsRemoved).toBeGreaterThan(0);

    const batches = storedBatches(log);
    expect(batches.every((b) => b.compression === GZIP)).toBe(true);
    const cleaned = batches.flatMap((b) => b.records).filter((r) => r.offset < activeBase);
    const keys = cleaned.map((r) => r.key?.toString());
    expect(new Set(keys).size).toBe(keys.length); // one record per key in the cleaned part
    for (const r of cleaned) expect(r.value?.toString()).toBe(`v${r.offset}-${'p'.repeat(30)}`); // offsets kept
    // the latest value of every key is still readable, wherever it is
    const latest = new Map(batches.flatMap((b) => b.records).map((r) => [r.key?.toString(), r.value?.toString()]));
    expect([...latest.keys()].sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
    for (let k = 0; k < 8; k++) expect(latest.get(`k${k}`)).toBe(`v${192 + k}-${'p'.repeat(30)}`);
    expect(log.logEndOffset).toBe(200);
  });

  it('keeps compressed batches as they are when it has no codec', async () => {
    const before = storedBatches(log).flatMap((b) => b.records).length;
    const result = await new LogCleaner({ clock }).clean(log);
    expect(result.recordsRemoved).toBe(0);
    expect(storedBatches(log).flatMap((b) => b.records)).toHaveLength(before);
  });
});
