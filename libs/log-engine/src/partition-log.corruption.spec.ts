import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { BATCH, readBatchSize, validateBatch } from './batch-header';
import { PartitionLog } from './partition-log';
import { encodeBatch } from './records';
import { tempDir } from './testing/temp-dir';

const CONFIG = { segmentBytes: 8 * 1024, indexIntervalBytes: 512 };

/** Writes a log of 3+ segments without a clean close (so the next open recovers every segment). */
function writeLog(dir: string): { batches: { file: string; position: number; size: number; baseOffset: number }[]; endOffset: number } {
  const log = PartitionLog.open(dir, { config: CONFIG });
  for (let i = 0; i < 120; i++) log.appendAsLeader(encodeBatch(Array.from({ length: 1 + (i % 4) }, (_, k) => ({ key: `k${k}`, value: `value-${i}-${k}`.repeat(5) }))), 0);
  const endOffset = log.logEndOffset;
  // no close(): the recovery point checkpoint is still 0
  const batches: { file: string; position: number; size: number; baseOffset: number }[] = [];
  for (const base of log.segmentBaseOffsets()) {
    const file = path.join(dir, `${String(base).padStart(20, '0')}.log`);
    const bytes = fs.readFileSync(file);
    for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) {
      batches.push({ file, position: pos, size: readBatchSize(bytes, pos), baseOffset: Number(bytes.readBigInt64BE(pos)) });
    }
  }
  return { batches, endOffset };
}

function readAll(log: PartitionLog): number {
  let offset = log.logStartOffset;
  for (let guard = 0; guard < 10_000 && offset < log.logEndOffset; guard++) {
    const bytes = log.read(offset, 1 << 20).records;
    if (bytes.length === 0) break;
    for (let pos = 0; pos < bytes.length; ) {
      const header = validateBatch(bytes, pos, 1 << 20);
      expect(header.baseOffset).toBe(offset);
      offset = header.lastOffset + 1;
      pos += header.sizeInBytes;
    }
  }
  return offset;
}

describe('PartitionLog recovery from corruption', () => {
  it('a flipped byte: keeps exactly the batches before the damaged one and reports the drop', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pick, xor) => {
        const { dir, cleanup } = tempDir();
        try {
          const { batches } = writeLog(dir);
          const victim = batches[pick % batches.length];
          // every byte but the leader epoch (outside the CRC and not checkable) is covered
          let at = (pick >> 3) % victim.size;
          if (at >= BATCH.PARTITION_LEADER_EPOCH && at < BATCH.MAGIC) at = BATCH.MAGIC;
          const bytes = fs.readFileSync(victim.file);
          bytes[victim.position + at] ^= xor;
          fs.writeFileSync(victim.file, bytes);

          const log = PartitionLog.open(dir, { config: CONFIG });
          try {
            expect(log.logEndOffset).toBe(victim.baseOffset);
            expect(readAll(log)).toBe(victim.baseOffset);
            expect(log.recovery.stopReason).not.toBeNull();
            expect(log.recovery.bytesTruncated).toBeGreaterThan(0);
            // appends continue right after the valid prefix
            expect(log.appendAsLeader(encodeBatch([{ value: 'after' }]), 1).firstOffset).toBe(victim.baseOffset);
          } finally {
            log.close();
          }
        } finally {
          cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a file cut at any point: keeps the whole batches before the cut', () => {
    fc.assert(
      fc.property(fc.nat(), (pick) => {
        const { dir, cleanup } = tempDir();
        try {
          const { batches } = writeLog(dir);
          const lastFile = batches[batches.length - 1].file;
          const size = fs.statSync(lastFile).size;
          const cut = pick % size;
          fs.truncateSync(lastFile, cut);
          const survivors = batches.filter((b) => b.file !== lastFile || b.position + b.size <= cut);
          const expectedEnd = batches[survivors.length]?.baseOffset ?? 0;
          const log = PartitionLog.open(dir, { config: CONFIG });
          try {
            expect(readAll(log)).toBe(expectedEnd);
            expect(log.logEndOffset).toBe(expectedEnd);
          } finally {
            log.close();
          }
        } finally {
          cleanup();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('a torn index is rebuilt after a clean shutdown', () => {
    const { dir, cleanup } = tempDir();
    try {
      const log = PartitionLog.open(dir, { config: CONFIG });
      for (let i = 0; i < 50; i++) log.appendAsLeader(encodeBatch([{ value: `v${i}`.repeat(30) }]), 0);
      log.close();
      const base = log.segmentBaseOffsets().at(-1) as number;
      const index = path.join(dir, `${String(base).padStart(20, '0')}.index`);
      fs.writeFileSync(index, Buffer.alloc(24, 0xff));
      const reopened = PartitionLog.open(dir, { config: CONFIG });
      expect(reopened.logEndOffset).toBe(50);
      expect(readAll(reopened)).toBe(50);
      reopened.close();
    } finally {
      cleanup();
    }
  });
});
