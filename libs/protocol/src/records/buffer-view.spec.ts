import { bufferView } from './buffer-view';

describe('bufferView', () => {
  it('is a Buffer to every check and method, over the same bytes as subarray', () => {
    const buf = Buffer.from('hello world');
    const view = bufferView(buf, 6, 11);
    expect(view).toBeInstanceOf(Buffer);
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view.constructor).toBe(Buffer);
    expect(view).toEqual(buf.subarray(6, 11));
    expect([view.toString(), view.toString('base64'), view.readUInt8(0), view.subarray(1).toString()]).toEqual(['world', 'd29ybGQ=', 0x77, 'orld']);
    expect(Buffer.concat([view, view]).toString()).toBe('worldworld');
    expect(view.toJSON()).toEqual(Buffer.from('world').toJSON());
  });

  it('shares its memory with the buffer it views', () => {
    const buf = Buffer.from('hello world');
    bufferView(buf, 6, 11)[0] = 0x57;
    expect(buf.toString()).toBe('hello World');
  });

  it('views a buffer that itself starts inside a larger allocation', () => {
    const pool = Buffer.from('..abcdef..');
    const inner = pool.subarray(2, 8);
    expect(bufferView(inner, 1, 3).toString()).toBe('bc');
    expect(bufferView(inner, 2, 2)).toHaveLength(0);
  });
});
