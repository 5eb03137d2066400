import fc from 'fast-check';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { KafkaProtocolError } from '../kafka/errors';
import { BATCH } from './batch-layout';
import { CompressionType } from './compression';
import { ControlRecordType, controlRecordType, encodeEndTxnMarker } from './control-records';
import { CorruptRecordError } from './errors';
import { ConsumedRecord, readRecordBatches } from './record-batch';
import { RecordBatchBuilder, RecordInput, encodeRecordBatch } from './record-batch-builder';
import { Cursor, sizeOfVarint, writeVarint } from './varint';

// kafkajs's own record batch codec (internal modules of the npm package), as an independent reference
/* eslint-disable @typescript-eslint/no-require-imports */
const { RecordBatch: KafkajsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (args: object) => Promise<{ buffer: Buffer }> };
const KafkajsLong = require('kafkajs/src/utils/long') as { fromNumber(value: number): object };
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: object) => object;
const KafkajsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: object) => Promise<{ records: KafkajsRecord[] }>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => object;
/* eslint-enable @typescript-eslint/no-require-imports */
interface KafkajsRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers: Record<string, Buffer | Buffer[]>;
}
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function readAll(buf: Buffer): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  for (const batch of readRecordBatches(buf)) for (const record of batch.records()) out.push(record);
  return out;
}

const bytes = fc.oneof(fc.constant(null), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)));
const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: bytes,
  value: bytes,
  timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: bytes }), { maxLength: 3 }),
});

function asBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

describe('zigzag varints', () => {
  it('write, size and read agree with a BigInt reference for int32 and 53-bit values', () => {
    const values = [0, 1, -1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31), 2 ** 35 + 3, -(2 ** 40), 1_764_000_000_000, 2 ** 52, -(2 ** 52)];
    const buf = Buffer.alloc(16);
    for (const value of values) {
      const end = writeVarint(buf, 0, value);
      let zz = value >= 0 ? BigInt(value) * 2n : BigInt(-value) * 2n - 1n;
      const reference: number[] = [];
      do {
        reference.push(Number(zz & 0x7fn) | (zz >= 0x80n ? 0x80 : 0));
        zz >>= 7n;
      } while (zz > 0n);
      expect([...buf.subarray(0, end)]).toEqual(reference);
      expect(sizeOfVarint(value)).toBe(end);
      expect(new Cursor(buf, 0, end).varint()).toBe(value);
    }
  });

  it('a varint running past its end or longer than 8 bytes is a CorruptRecordError', () => {
    expect(() => new Cursor(Buffer.from([0x80, 0x80]), 0, 2).varint()).toThrow(CorruptRecordError);
    expect(() => new Cursor(Buffer.alloc(12, 0xff), 0, 12).varint()).toThrow(/longer than/);
  });
});

describe('record batch builder and lazy reader', () => {
  it.each(CODECS)('codec %s: any records round-trip with keys, values, headers and timestamps', (compression) => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 40 }), (records, baseOffset) => {
        const batch = encodeRecordBatch(records, { compression, baseOffset, producerId: 7, producerEpoch: 2, baseSequence: 11 });
        const [view, ...rest] = [...readRecordBatches(batch)];
        expect(rest).toHaveLength(0);
        expect(view.isCrcValid()).toBe(true);
        expect([view.compression, view.baseOffset, view.count, view.lastOffset]).toEqual([compression, baseOffset, records.length, baseOffset + records.length - 1]);
        expect([view.producerId, view.producerEpoch, view.baseSequence]).toEqual([7, 2, 11]);
        expect(view.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp!)));
        const decoded = [...view.records()];
        expect(decoded.map((r) => r.offset)).toEqual(records.map((_, i) => baseOffset + i));
        expect(decoded.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
        expect(decoded.map((r) => r.key)).toEqual(records.map((r) => asBuffer(r.key)));
        expect(decoded.map((r) => r.value)).toEqual(records.map((r) => asBuffer(r.value)));
        expect(decoded.map((r) => r.headers)).toEqual(records.map((r) => (r.headers ?? []).map((h) => ({ key: h.key, value: asBuffer(h.value) }))));
      }),
      { numRuns: 60 },
    );
  });

  it('the builder is reusable: each build returns an owned buffer and starts the next batch empty', () => {
    const builder = new RecordBatchBuilder(CompressionType.None, 64);
    for (let i = 0; i < 1000; i++) builder.append(null, `value-${i}`, 1000 + i);
    expect(builder.count).toBe(1000);
    const predicted = RecordBatchBuilder.recordSize('k', 'v', 5, 1000);
    const sizeBefore = builder.sizeInBytes;
    const first = builder.build();
    builder.append('k', 'v', 1005);
    expect(builder.sizeInBytes).toBe(BATCH.HEADER_SIZE + RecordBatchBuilder.recordSize('k', 'v', 0, 0));
    expect(predicted).toBeGreaterThan(0);
    const second = builder.build({ baseOffset: 1000 });
    expect(first.length).toBe(sizeBefore);
    expect(readAll(first).map((r) => r.value!.toString())).toEqual(Array.from({ length: 1000 }, (_, i) => `value-${i}`));
    expect(readAll(Buffer.concat([first, second])).map((r) => r.offset)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
    expect(() => builder.build()).toThrow(/at least one record/);
  });

  it('tryAppend takes a record only while the batch stays within maxBytes (the first record always), and says how many bytes it added', () => {
    const builder = new RecordBatchBuilder(CompressionType.None, 64);
    const value = Buffer.alloc(100, 1);
    const big = builder.tryAppend(null, Buffer.alloc(500), 1000, [], 100);
    expect(big).toBe(builder.sizeInBytes - BATCH.HEADER_SIZE);
    expect(builder.tryAppend(null, value, 1000, [], BATCH.HEADER_SIZE + big + 50)).toBe(-1);
    expect(builder.count).toBe(1);
    const added = builder.tryAppend('k', value, 1001, [{ key: 'h', value: 'v' }], Infinity);
    expect(added).toBe(RecordBatchBuilder.recordSize('k', value, 1, 1, [{ key: 'h', value: 'v' }]));
    expect(builder.sizeInBytes).toBe(BATCH.HEADER_SIZE + big + added);
    expect(readAll(builder.build()).map((r) => [r.key?.toString() ?? null, r.value!.length, r.timestamp])).toEqual([
      [null, 500, 1000],
      ['k', 100, 1001],
    ]);
  });

  it('a batch that fills the builder takes its buffer along, a small one is copied out; neither changes when the builder writes the next', () => {
    const capacity = 64 * 1024;
    const builder = new RecordBatchBuilder(CompressionType.None, capacity);
    const fill = (batch: number, count: number) => {
      for (let i = 0; i < count; i++) builder.append(null, Buffer.alloc(100, batch), 1000);
    };
    fill(1, 500); // about 54 KiB of 64
    const full = builder.build();
    const fullCopy = Buffer.from(full);
    fill(2, 3);
    const small = builder.build();
    const smallCopy = Buffer.from(small);
    expect(small.buffer.byteLength).toBeLessThan(capacity);
    fill(3, 500);
    builder.build();
    expect(full.equals(fullCopy)).toBe(true);
    expect(small.equals(smallCopy)).toBe(true);
    expect(readAll(full).map((r) => r.value![0])).toEqual(new Array(500).fill(1));
    expect(readAll(small).map((r) => r.value![0])).toEqual([2, 2, 2]);
  });

  it('recycle gives a builder that handed its buffer over the buffer of an old full batch to write into; anything else is refused', () => {
    const capacity = 64 * 1024;
    const builder = new RecordBatchBuilder(CompressionType.None, capacity);
    const fill = (batch: number) => {
      for (let i = 0; i < 500; i++) builder.append(null, Buffer.alloc(100, batch), 1000);
    };
    fill(1);
    const first = builder.build();
    expect(builder.hasBuffer).toBe(false);
    expect(builder.recycle(Buffer.alloc(capacity - 1))).toBe(false);
    expect(builder.recycle(first)).toBe(true);
    expect(builder.hasBuffer).toBe(true);
    expect(builder.recycle(first)).toBe(false);
    fill(2);
    const second = builder.build();
    expect(second.buffer).toBe(first.buffer);
    expect(readAll(second).map((r) => r.value![0])).toEqual(new Array(500).fill(2));
  });

  it.each([
    ['none', CompressionType.None, CompressionTypes.None],
    ['gzip', CompressionType.Gzip, CompressionTypes.GZIP],
    ['snappy', CompressionType.Snappy, CompressionTypes.Snappy],
  ])('kafkajs reads our %s batches, and we read kafkajs\'s', async (_name, ours, theirs) => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: i % 3 === 0 ? null : `key-${i}`, value: `value-${i}`.repeat(i), timestamp: 1_700_000_000_000 + i, headers: [{ key: 'h', value: `${i}` }] }));

    const built = encodeRecordBatch(records, { compression: ours, baseOffset: 100 });
    const theirView = await KafkajsBatchDecoder(new KafkajsDecoder(built));
    expect(theirView.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value!.toString(), r.timestamp, r.headers.h.toString()])).toEqual(
      records.map((r, i) => [`${100 + i}`, r.key, r.value, `${r.timestamp}`, `${i}`]),
    );

    const theirBatch = await KafkajsRecordBatch({
      compression: theirs,
      firstOffset: KafkajsLong.fromNumber(0),
      firstTimestamp: records[0].timestamp,
      maxTimestamp: records.at(-1)!.timestamp,
      lastOffsetDelta: records.length - 1,
      records: records.map((r, i) =>
        KafkajsRecord({ offsetDelta: i, timestampDelta: r.timestamp - records[0].timestamp, key: r.key === null ? null : Buffer.from(r.key), value: Buffer.from(r.value), headers: { h: Buffer.from(`${i}`) } }),
      ),
    });
    const decoded = readAll(theirBatch.buffer);
    expect(decoded.map((r) => [r.key?.toString() ?? null, r.value!.toString(), r.timestamp])).toEqual(records.map((r) => [r.key, r.value, r.timestamp]));
  });

  it('control batches: an end-transaction marker reads back as a commit or abort', () => {
    for (const type of [ControlRecordType.Commit, ControlRecordType.Abort]) {
      const [batch] = [...readRecordBatches(encodeEndTxnMarker(type, { producerId: 9, producerEpoch: 1, coordinatorEpoch: 3 }))];
      expect([batch.isControl, batch.isTransactional, batch.producerId]).toEqual([true, true, 9]);
      const [record] = [...batch.records()];
      expect(controlRecordType(record)).toBe(type);
      expect(record.value!.readInt32BE(2)).toBe(3);
    }
  });

  it('a partial trailing batch is skipped; a bad magic or length is a CorruptRecordError; a flipped byte fails the CRC', () => {
    const one = encodeRecordBatch([{ value: 'a' }, { value: 'b' }]);
    const two = encodeRecordBatch([{ value: 'c' }], { baseOffset: 2 });
    expect(readAll(Buffer.concat([one, two.subarray(0, two.length - 1)])).map((r) => r.value!.toString())).toEqual(['a', 'b']);

    const badMagic = Buffer.from(one);
    badMagic[BATCH.MAGIC] = 1;
    expect(() => [...readRecordBatches(badMagic)]).toThrow(/magic 1/);
    const badLength = Buffer.from(one);
    badLength.writeInt32BE(3, BATCH.LENGTH);
    expect(() => [...readRecordBatches(badLength)]).toThrow(CorruptRecordError);

    const flipped = Buffer.from(one);
    flipped[flipped.length - 1] ^= 0xff;
    expect([...readRecordBatches(flipped)][0].isCrcValid()).toBe(false);
  });

  it('a record count the batch body cannot hold is a CorruptRecordError before any record is decoded', () => {
    const forged = Buffer.from(encodeRecordBatch([{ value: 'a' }, { value: 'b' }]));
    forged.writeInt32BE(2 ** 31 - 1, BATCH.RECORDS_COUNT);
    const [view] = [...readRecordBatches(forged)];
    expect(() => view.records()).toThrow(/record count 2147483647 does not fit/);
  });

  it('a compressed batch that inflates past maxDecompressedBytes fails with MESSAGE_TOO_LARGE', () => {
    const batch = encodeRecordBatch([{ value: Buffer.alloc(2 * 1024 * 1024) }], { compression: CompressionType.Zstd });
    const [view] = [...readRecordBatches(batch)];
    expect(() => [...view.records({ maxDecompressedBytes: 1024 * 1024 })]).toThrow(expect.objectContaining({ errorName: 'MESSAGE_TOO_LARGE' }));
  });

  it.each(CODECS)('codec %s: mutated and truncated batches fail with a typed error only', (compression) => {
    const good = encodeRecordBatch(
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`.repeat(i), headers: [{ key: 'x', value: 'y' }] })),
      { compression },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), (flips, cut) => {
        const bad = Buffer.from(good);
        for (const [at, byte] of flips) bad[at % bad.length] = byte;
        for (const input of [bad, bad.subarray(0, cut % bad.length)]) {
          try {
            for (const batch of readRecordBatches(input)) for (const record of batch.records({ maxDecompressedBytes: 1 << 20 })) void record;
          } catch (error) {
            expect(error).toBeInstanceOf(KafkaProtocolError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
