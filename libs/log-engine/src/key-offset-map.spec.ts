import fc from 'fast-check';
import { KeyOffsetMap } from './key-offset-map';

describe('KeyOffsetMap', () => {
  it('answers like a Map of key to latest offset: overwrites, absent keys, distinct count', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.nat()), { maxLength: 300 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }), (writes, probes) => {
        const map = new KeyOffsetMap();
        const expected = new Map<string, number>();
        for (const [key, offset] of writes) {
          map.set(key, offset);
          expected.set(key, offset);
        }
        expect(map.size).toBe(expected.size);
        for (const key of [...expected.keys(), ...probes]) expect(map.get(key)).toBe(expected.get(key));
      }),
    );
  });

  it('holds many keys exactly', () => {
    const map = new KeyOffsetMap();
    for (let i = 0; i < 200_000; i++) map.set(`user-${i}`, i);
    map.set('user-5', 7);
    expect(map.size).toBe(200_000);
    expect(map.get('user-5')).toBe(7);
    expect(map.get('user-199999')).toBe(199_999);
    expect(map.get('user-200000')).toBeUndefined();
  });
});
