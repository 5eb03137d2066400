import { ConsumedRecord } from '@tributary/protocol';
import { DeliveryEncoder, producerRecordOf } from './record-codec';
import { ProduceFrame } from './ws-protocol';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function record(fields: Partial<ConsumedRecord>): ConsumedRecord {
  return { offset: 5, timestamp: Date.UTC(2024, 0, 1), key: null, value: null, headers: [], ...fields };
}

function produceFrame(fields: Partial<ProduceFrame>): ProduceFrame {
  return { type: 'produce', id: 'p', topic: 't', key_format: 'string', value_format: 'string', header_format: 'string', ...fields };
}

describe('DeliveryEncoder', () => {
  it('encodes a record as the JSON of a delivery, lifting out a well-formed traceparent', () => {
    const encoder = new DeliveryEncoder({ key: 'string', value: 'json', headers: 'string' });
    const [text] = encoder.encodeBatch('orders', 1, [record({ key: Buffer.from('k"1'), value: Buffer.from(' {"a": [1, 2]} '), headers: [{ key: 'traceparent', value: Buffer.from(TRACEPARENT) }, { key: 'empty', value: null }] })]);
    expect(JSON.parse(text)).toEqual({
      topic: 'orders',
      partition: 1,
      offset: 5,
      timestamp: '2024-01-01T00:00:00.000Z',
      key: 'k"1',
      value: { a: [1, 2] },
      headers: [
        { name: 'traceparent', value: TRACEPARENT },
        { name: 'empty', value: null },
      ],
      traceparent: TRACEPARENT,
    });
  });

  it('falls back to base64, and says so, for bytes that are not what the format asked for', () => {
    const encoder = new DeliveryEncoder({ key: 'string', value: 'json', headers: 'string' });
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    const delivery = JSON.parse(encoder.encodeBatch('t', 0, [record({ key: bytes, value: Buffer.from('not json'), headers: [{ key: 'h', value: bytes }, { key: 'traceparent', value: Buffer.from('garbage') }] })])[0]);
    expect(delivery).toMatchObject({ key: bytes.toString('base64'), key_format: 'binary', value: Buffer.from('not json').toString('base64'), value_format: 'binary', headers: [{ name: 'h', value: bytes.toString('base64'), format: 'binary' }, { name: 'traceparent', value: 'garbage' }] });
    expect(delivery.traceparent).toBeUndefined();
  });

  it('encodes binary as base64, each record with its own timestamp (null outside Date range)', () => {
    const encoder = new DeliveryEncoder({ key: 'binary', value: 'binary', headers: 'binary' });
    const deliveries = encoder.encodeBatch('t', 0, [record({ timestamp: 2 ** 62, value: Buffer.from('hi'), headers: [{ key: 'h', value: Buffer.from('v') }] }), record({ offset: 6 }), record({ offset: 7, timestamp: 1 })]).map((text) => JSON.parse(text));
    expect(deliveries[0]).toMatchObject({ timestamp: null, key: null, value: 'aGk=', headers: [{ name: 'h', value: 'dg==' }] });
    expect(deliveries.slice(1).map((d) => [d.offset, d.timestamp])).toEqual([
      [6, '2024-01-01T00:00:00.000Z'],
      [7, '1970-01-01T00:00:00.001Z'],
    ]);
  });
});

describe('producerRecordOf', () => {
  it('turns a produce frame into record bytes in each format, with the traceparent as a header', () => {
    expect(producerRecordOf(produceFrame({ key: 'k', value: { n: 1 }, value_format: 'json', partition: 2, timestamp: 7, traceparent: TRACEPARENT, headers: [{ name: 'h', value: 'v' }] }))).toEqual({
      key: 'k',
      value: '{"n":1}',
      partition: 2,
      timestamp: 7,
      headers: [
        { key: 'h', value: 'v' },
        { key: 'traceparent', value: TRACEPARENT },
      ],
    });
    expect(producerRecordOf(produceFrame({ value: 'AAH/', value_format: 'binary', headers: [{ name: 'h', value: 'dg==' }], header_format: 'binary' }))).toEqual({
      key: null,
      value: Buffer.from([0, 1, 255]),
      headers: [{ key: 'h', value: Buffer.from('v') }],
    });
    expect(producerRecordOf(produceFrame({ value: null })).value).toBeNull();
  });

  it('refuses data it cannot encode with a 422 naming the field', () => {
    expect(() => producerRecordOf(produceFrame({ value: 42 }))).toThrow(expect.objectContaining({ status: 422, message: 'value: expected a string for value_format "string" (use "json" for other values)' }));
    expect(() => producerRecordOf(produceFrame({ key: 'a-b', key_format: 'binary' }))).toThrow(expect.objectContaining({ status: 422, message: 'key: not base64' }));
    expect(() => producerRecordOf(produceFrame({ headers: [{ name: 'h', value: '%%' }], header_format: 'binary' }))).toThrow(expect.objectContaining({ message: 'headers.0.value: not base64' }));
    expect(() => producerRecordOf(produceFrame({ traceparent: 'abc' }))).toThrow(expect.objectContaining({ status: 422, message: expect.stringMatching(/^traceparent: /) }));
  });
});
