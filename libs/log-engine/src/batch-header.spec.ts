import fc from 'fast-check';
import { readInt64, writeInt64 } from './batch-header';

describe('int64 without BigInt', () => {
  it('reads and writes every safe integer exactly as Buffer BigInt methods do', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const buf = Buffer.alloc(8);
        writeInt64(buf, 0, value);
        expect(buf.readBigInt64BE(0)).toBe(BigInt(value));
        expect(readInt64(buf, 0)).toBe(value);
      }),
    );
    const minusOne = Buffer.alloc(8, 0xff);
    expect(readInt64(minusOne, 0)).toBe(-1);
  });
});
