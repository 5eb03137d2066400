import fc from 'fast-check';
import { encodeRecordBatch, readRecordBatches } from '@tributary/protocol';
import { FetchedRecords } from './fetched-records';

describe('FetchedRecords', () => {
  it('takes every record at or past the fetch position once, in order, at most max at a time and fewer only at the end', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (sizes, max, positionSeed) => {
        let baseOffset = 100;
        const batches = sizes.map((count) => {
          const batch = encodeRecordBatch(
            Array.from({ length: count }, (_, i) => ({ value: `v${baseOffset + i}` })),
            { baseOffset },
          );
          baseOffset += count;
          return [...readRecordBatches(batch)][0];
        });
        const total = baseOffset - 100;
        const fromOffset = 100 + (total === 0 ? 0 : positionSeed % total);
        const fetched = new FetchedRecords(batches, fromOffset);
        const takes: number[][] = [];
        for (let records = fetched.take(max); records.length > 0; records = fetched.take(max)) takes.push(records.map((r) => r.offset));
        expect(takes.flat()).toEqual(Array.from({ length: baseOffset - fromOffset }, (_, i) => fromOffset + i));
        expect(takes.slice(0, -1).every((t) => t.length === max)).toBe(true);
        expect(takes.every((t) => t.length >= 1 && t.length <= max)).toBe(true);
        expect(fetched.take(max)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('values come through as the Buffers they were produced as', () => {
    const [batch] = [...readRecordBatches(encodeRecordBatch([{ key: 'k', value: 'hello' }]))];
    const [record] = new FetchedRecords([batch], 0).take(10);
    expect(record.key).toEqual(Buffer.from('k'));
    expect(record.value).toEqual(Buffer.from('hello'));
  });
});
