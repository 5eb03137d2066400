import { countRecords, firstRecordHeaderValues } from './batch-peek';
import { CompressionType } from './compression';
import { encodeRecordBatch } from './record-batch-builder';

const traceA = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('batch peek', () => {
  const first = encodeRecordBatch([
    { key: 'k', value: 'v1', headers: [{ key: 'other', value: 'x' }, { key: 'traceparent', value: traceA }] },
    { value: 'v2', headers: [{ key: 'traceparent', value: 'ignored: not the first record' }] },
  ]);
  const second = encodeRecordBatch([{ value: 'v3' }, { value: 'v4' }, { value: 'v5' }]);

  it('counts the records of every whole batch from the headers', () => {
    expect(countRecords(Buffer.concat([first, second]))).toBe(5);
    expect(countRecords(Buffer.concat([first, second.subarray(0, 70)]))).toBe(2); // a fetch's partial tail batch
    expect(countRecords(Buffer.alloc(0))).toBe(0);
  });

  it('reads a header of the first record of each batch', () => {
    const values = firstRecordHeaderValues(Buffer.concat([first, second, first]), 'traceparent', 10);
    expect(values.map((v) => v.toString())).toEqual([traceA, traceA]);
    expect(firstRecordHeaderValues(Buffer.concat([first, first]), 'traceparent', 1)).toHaveLength(1);
  });

  it('skips compressed batches and survives garbage', () => {
    const gzip = encodeRecordBatch([{ value: 'v', headers: [{ key: 'traceparent', value: traceA }] }], { compression: CompressionType.Gzip });
    expect(firstRecordHeaderValues(gzip, 'traceparent', 10)).toEqual([]);
    const corrupt = Buffer.from(first);
    corrupt.fill(0xff, 61);
    expect(firstRecordHeaderValues(corrupt, 'traceparent', 10)).toEqual([]);
    expect(countRecords(Buffer.alloc(100, 0xff))).toBe(0);
  });
});
