import fc from 'fast-check';
import { plainBatch, plainRecord } from './plain-records';
import { produceBatchRequestSchema, produceRequestSchema } from './produce.schemas';

/** Near-valid produce records: every field valid, invalid, odd or absent. */
const data = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.record(
    {
      type: fc.constantFrom(undefined, 'JSON', 'STRING', 'BINARY', 'AVRO', 'PROTOBUF', 'XML', 3),
      data: fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 })),
      subject: fc.constantFrom(undefined, 'orders-value'),
      schema_id: fc.constantFrom(undefined, 1, 1.5),
    },
    { requiredKeys: [] },
  ),
);
const header = fc.oneof(fc.record({ name: fc.constantFrom('', 'h', 'trace', 3), value: fc.constantFrom(undefined, null, 'YQ==', '', 7) }, { requiredKeys: [] }), fc.constant('h'), fc.constant(null));
const record = fc.record(
  {
    partition_id: fc.constantFrom(undefined, 0, 2, -1, 1.5, '1', 2 ** 53, -0),
    headers: fc.oneof(fc.constant(undefined), fc.constant('h'), fc.array(header, { maxLength: 3 }), fc.constant(new Array(257).fill({ name: 'h' }))),
    key: data,
    value: data,
    timestamp: fc.constantFrom(undefined, '2026-12-02T08:00:00Z', '2026-12-02T08:00:00.123+01:00', 'yesterday', 5),
  },
  { requiredKeys: [] },
);
const entry = fc.tuple(record, fc.oneof(fc.constantFrom('a', 'b', 'c', '', 'x'.repeat(80), 'x'.repeat(81)), fc.string({ maxLength: 8 }), fc.integer())).map(([r, id]) => ({ id, ...r }));
const batch = fc.oneof(
  fc.record({ entries: fc.array(entry, { maxLength: 4 }) }),
  fc.constant({ entries: 'many' }),
  fc.constant([]),
  fc.constant(null),
  fc.constant({ entries: Array.from({ length: 10_001 }, (_, i) => ({ id: String(i) })) }),
);

describe('plain produce records: accepted only when zod accepts them, with the same data', () => {
  it('a record the plain check accepts is one zod accepts, and the data is the same', () => {
    fc.assert(
      fc.property(record, (input) => {
        const plain = plainRecord(structuredClone(input));
        const zod = produceRequestSchema.safeParse(input);
        if (plain !== null) {
          expect(zod.success).toBe(true);
          expect(plain).toEqual(zod.data);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a batch the plain check accepts is one zod accepts (ids distinct, 1 to 10,000 entries), with the same entries', () => {
    fc.assert(
      fc.property(batch, (input) => {
        const plain = plainBatch(structuredClone(input));
        const zod = produceBatchRequestSchema.safeParse(input);
        if (plain !== null) {
          expect(zod.success).toBe(true);
          expect(plain).toEqual(zod.data);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the usual records without zod: STRING, BINARY and JSON data, headers, a partition, a tombstone', () => {
    const entries = [
      { id: '1', value: { type: 'STRING', data: 'hello' } },
      { id: '2', key: { type: 'BINARY', data: 'a2V5' }, value: { data: { amount: 3 } }, partition_id: 0 },
      { id: '3', key: { type: 'STRING', data: 'k' }, value: null, headers: [{ name: 'h', value: 'dg==' }, { name: 'empty', value: null }] },
    ];
    const plain = plainBatch({ entries });
    expect(plain).not.toBeNull();
    // the JSON default is written in place, as zod's output has it
    expect(plain!.entries[1].value).toEqual({ type: 'JSON', data: { amount: 3 } });
    expect(plainRecord({ value: { type: 'STRING', data: 'x' } })).not.toBeNull();
  });

  it('leaves to zod what it must name in a 400: a wrong type, a timestamp, a duplicate id, a schema reference', () => {
    expect(plainRecord({ value: { type: 'STRING', data: 3 } })).toBeNull();
    expect(plainRecord({ value: { type: 'STRING', data: 'x' }, timestamp: '2026-12-02T08:00:00Z' })).toBeNull();
    expect(plainRecord({ value: { type: 'AVRO', data: 'x' } })).toBeNull();
    expect(plainRecord({ value: { type: 'JSON', data: 1, subject: 's' } })).toBeNull();
    expect(plainBatch({ entries: [{ id: 'a' }, { id: 'a' }] })).toBeNull();
    expect(plainBatch({ entries: [] })).toBeNull();
  });
});
