import { MalformedMessageError } from './errors';
import { Reader } from './reader';
import { Writer } from './writer';

const bytesOf = (fill: (w: Writer) => void): string => {
  const w = new Writer(1);
  fill(w);
  return w.finish().toString('hex');
};

describe('Writer/Reader primitives (FORMAT.md section 1)', () => {
  it('writes fixed-width integers big-endian', () => {
    expect(bytesOf((w) => w.int8(-1).int16(0x0102).int32(-2).uint16(0xfffe).uint32(0xfffffffe))).toBe(
      'ff0102fffffffefffefffffffe',
    );
    expect(bytesOf((w) => w.int64(-2n))).toBe('fffffffffffffffe');
    expect(bytesOf((w) => w.float64(1))).toBe('3ff0000000000000');
  });

  it('encodes varints as in Kafka: zigzag, 7 bits per byte, low group first', () => {
    expect(bytesOf((w) => w.varint(-1))).toBe('01');
    expect(bytesOf((w) => w.varint(1))).toBe('02');
    expect(bytesOf((w) => w.varint(-64))).toBe('7f');
    expect(bytesOf((w) => w.varint(64))).toBe('8001');
    expect(bytesOf((w) => w.uvarint(300))).toBe('ac02');
    expect(bytesOf((w) => w.uvarint(0xffffffff))).toBe('ffffffff0f');
    expect(bytesOf((w) => w.varlong(-1n))).toBe('01');
    expect(bytesOf((w) => w.varlong(-(2n ** 63n)))).toBe('ffffffffffffffffff01');
  });

  it('round-trips varints at the edges', () => {
    const ints = [0, 1, -1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), 1234567890123n];
    const w = new Writer(4);
    ints.forEach((v) => w.varint(v));
    longs.forEach((v) => w.varlong(v));
    const r = new Reader(w.finish());
    expect(ints.map(() => r.varint())).toEqual(ints);
    expect(longs.map(() => r.varlong())).toEqual(longs);
    expect(r.remaining).toBe(0);
  });

  it('encodes classic and compact strings, bytes and nulls', () => {
    expect(bytesOf((w) => w.string('ab'))).toBe('00026162');
    expect(bytesOf((w) => w.nullableString(null))).toBe('ffff');
    expect(bytesOf((w) => w.compactString('ab'))).toBe('036162');
    expect(bytesOf((w) => w.compactNullableString(null))).toBe('00');
    expect(bytesOf((w) => w.string('é'))).toBe('0002c3a9'); // length in bytes, not characters
    expect(bytesOf((w) => w.bytes(Buffer.from([9])))).toBe('0000000109');
    expect(bytesOf((w) => w.nullableBytes(null))).toBe('ffffffff');
    expect(bytesOf((w) => w.compactBytes(Buffer.from([9])))).toBe('0209');
    expect(bytesOf((w) => w.compactNullableBytes(null))).toBe('00');
  });

  it('encodes uuids as 16 raw bytes and reads them back in canonical form', () => {
    const id = '0123abcd-4567-89ef-0123-456789abcdef';
    const hex = bytesOf((w) => w.uuid(id));
    expect(hex).toBe('0123abcd456789ef0123456789abcdef');
    expect(new Reader(Buffer.from(hex, 'hex')).uuid()).toBe(id);
    expect(() => new Writer().uuid('nope')).toThrow(TypeError);
  });

  it('writes a uuid seen before from its cached bytes, the same ones, next to other fields', () => {
    const id = 'fedcba98-7654-3210-fedc-ba9876543210';
    const once = bytesOf((w) => w.int8(1).uuid(id).int8(2));
    expect(bytesOf((w) => w.int8(1).uuid(id).int8(2))).toBe(once);
    expect(once).toBe('01fedcba9876543210fedcba987654321002');
    expect(() => new Writer().uuid(`${id}0`)).toThrow(TypeError);
  });

  it('patches a reserved size prefix', () => {
    const w = new Writer(2);
    const at = w.reserveInt32();
    w.string('hello');
    w.patchInt32(at, w.offset - 4);
    expect(w.finish().toString('hex')).toBe('000000070005' + Buffer.from('hello').toString('hex'));
  });
});

describe('Reader bounds checks', () => {
  const reader = (hex: string) => new Reader(Buffer.from(hex, 'hex'));

  it('throws a typed error instead of reading past the end', () => {
    expect(() => reader('00').int16()).toThrow(MalformedMessageError);
    expect(() => reader('000000').int32()).toThrow(MalformedMessageError);
    expect(() => reader('00000000000000').int64()).toThrow(MalformedMessageError);
    expect(() => reader('0005616263').string()).toThrow(MalformedMessageError);
    expect(() => reader('00000010ff').bytes()).toThrow(MalformedMessageError);
    expect(() => reader('80').uvarint()).toThrow(MalformedMessageError);
  });

  it('respects an end before the buffer end', () => {
    const r = new Reader(Buffer.from('0001020304', 'hex'), 1, 3);
    expect(r.int16()).toBe(0x0102);
    expect(() => r.int8()).toThrow(MalformedMessageError);
  });

  it('rejects negative lengths other than the null marker', () => {
    expect(() => reader('fffe').nullableString()).toThrow(/negative/);
    expect(() => reader('ffff').string()).toThrow(/negative/);
    expect(() => reader('fffffffe').nullableBytes()).toThrow(/negative/);
    expect(() => reader('fffffffb').arrayLength(true)).toThrow(/negative/);
    expect(() => reader('ffffffff').arrayLength(false)).toThrow(/negative/);
    expect(reader('ffffffff').arrayLength(true)).toBe(-1);
    expect(() => reader('00').compactArrayLength(false)).toThrow(MalformedMessageError);
    expect(() => reader('00').compactString()).toThrow(MalformedMessageError);
  });

  it('rejects element counts larger than the bytes left, before allocating', () => {
    expect(() => reader('7fffffff00').arrayLength(false)).toThrow(/cannot fit/);
    expect(() => reader('ffffffff0f').compactArrayLength(false)).toThrow(/cannot fit/);
  });

  it('rejects over-long varints', () => {
    expect(() => reader('ffffffffff01').uvarint()).toThrow(/longer than 5/);
    expect(() => reader('ffffffff1f').uvarint()).toThrow(/exceeds 32 bits/);
    expect(() => reader('ffffffffffffffffffff01').uvarlong()).toThrow(/longer than 10/);
  });
});

describe('Writer.pooled', () => {
  it('returns right-sized independent copies and survives re-entrant use', () => {
    const first = Writer.pooled((w) => {
      w.int32(1);
      const inner = Writer.pooled((w2) => w2.int16(2));
      expect(inner.toString('hex')).toBe('0002');
      w.int32(3);
    });
    const second = Writer.pooled((w) => w.int8(9));
    expect(first.toString('hex')).toBe('0000000100000003');
    expect(second.toString('hex')).toBe('09');
  });

  it('releases the scratch writer when the fill throws', () => {
    expect(() => Writer.pooled(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(Writer.pooled((w) => w.int8(1)).length).toBe(1);
  });
});
