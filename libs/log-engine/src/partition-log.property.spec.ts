import * as path from 'node:path';
import fc from 'fast-check';
import { readBatchSize } from './batch-header';
import { OffsetOutOfRangeError } from './errors';
import { PartitionLog } from './partition-log';
import { decodeRecords, encodeBatch } from './records';
import { ManualClock, tempDir } from './testing/temp-dir';

/** The model: the log is just an array of values indexed by offset, plus a start offset. */
interface Model {
  values: string[];
  start: number;
}

type Op =
  | { kind: 'append'; values: string[] }
  | { kind: 'read'; from: number; maxBytes: number; upTo: number }
  | { kind: 'truncate'; to: number }
  | { kind: 'deleteRecords'; to: number }
  | { kind: 'roll' }
  | { kind: 'reopen'; clean: boolean }
  | { kind: 'retention'; bytes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), values: fc.array(fc.string({ maxLength: 60 }), { minLength: 1, maxLength: 8 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), from: fc.nat(), maxBytes: fc.integer({ min: 1, max: 3000 }), upTo: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('roll' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), clean: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const), bytes: fc.integer({ min: 0, max: 4000 }) }) },
);

function decodeAll(bytes: Buffer): { offset: number; value: string }[] {
  const out: { offset: number; value: string }[] = [];
  for (let pos = 0; pos < bytes.length; pos += readBatchSize(bytes, pos)) {
    for (const r of decodeRecords(bytes, pos)) out.push({ offset: r.offset, value: r.value?.toString() ?? '' });
  }
  return out;
}

describe('PartitionLog against an in-memory model (property)', () => {
  it('append/read/truncate/deleteRecords/retention/reopen agree with the model', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const { dir, cleanup } = tempDir();
        const clock = new ManualClock();
        const logDir = path.join(dir, 'p-0');
        const config = { segmentBytes: 1500, indexIntervalBytes: 200 };
        let log = PartitionLog.open(logDir, { clock, config });
        const model: Model = { values: [], start: 0 };
        try {
          for (const op of ops) {
            const end = model.values.length;
            switch (op.kind) {
              case 'append': {
                const info = log.appendAsLeader(encodeBatch(op.values.map((value) => ({ value }))), 0);
                expect(info.firstOffset).toBe(end);
                model.values.push(...op.values);
                break;
              }
              case 'read': {
                const from = model.start + (op.from % (end - model.start + 1));
                const upTo = op.upTo % (end + 2);
                const got = decodeAll(log.read(from, op.maxBytes, upTo).records);
                // a prefix of the model from the batch holding `from`, never past upTo, at least one batch when possible
                for (const r of got) {
                  expect(r.value).toBe(model.values[r.offset]);
                  expect(r.offset).toBeLessThan(Math.min(upTo, end));
                }
                if (got.length > 0) expect(got[0].offset).toBeLessThanOrEqual(from);
                for (let i = 1; i < got.length; i++) expect(got[i].offset).toBe(got[i - 1].offset + 1);
                break;
              }
              case 'truncate': {
                const to = op.to % (end + 1);
                log.truncateTo(to);
                // truncation removes a straddling batch whole: the model follows the log's answer
                expect(log.logEndOffset).toBeLessThanOrEqual(Math.max(to, model.start));
                model.values.length = log.logEndOffset;
                model.start = log.logStartOffset;
                break;
              }
              case 'deleteRecords': {
                const to = op.to % (end + 2);
                if (to > end) {
                  expect(() => log.advanceLogStartOffset(to)).toThrow(OffsetOutOfRangeError);
                } else {
                  log.advanceLogStartOffset(to);
                  model.start = Math.max(model.start, to);
                }
                break;
              }
              case 'roll':
                log.roll();
                break;
              case 'retention': {
                log.close();
                log = PartitionLog.open(logDir, { clock, config: { ...config, retentionBytes: op.bytes } });
                log.applyRetention();
                expect(log.logStartOffset).toBeGreaterThanOrEqual(model.start);
                model.start = log.logStartOffset;
                break;
              }
              case 'reopen':
                if (op.clean) log.close();
                log = PartitionLog.open(logDir, { clock, config });
                break;
            }
            expect(log.logEndOffset).toBe(model.values.length);
            expect(log.logStartOffset).toBe(model.start);
          }
          // finally, everything from the start offset reads back in order
          let next = model.start;
          for (let guard = 0; guard < 1000 && next < model.values.length; guard++) {
            const got = decodeAll(log.read(next, 4096).records).filter((r) => r.offset >= next);
            expect(got.length).toBeGreaterThan(0);
            for (const r of got) expect(r).toEqual({ offset: next++, value: model.values[r.offset] });
          }
          expect(next).toBe(model.values.length);
        } finally {
          log.close();
          cleanup();
        }
      }),
      { numRuns: 100 },
    );
  });
});
