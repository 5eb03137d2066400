/**
 * Views of a Buffer's bytes made directly. `buf.subarray()` finds the class of its result through
 * Symbol.species, which for Buffer lands in the Buffer() function and Buffer.from: twice the cost
 * of constructing the view, paid for every key and value a consumer decodes. The class below is
 * made the way Node makes its own Buffers (a Uint8Array subclass whose prototype inherits
 * Buffer's), so its instances are Buffers to `instanceof`, Buffer.isBuffer and every method.
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
Object.defineProperty(BufferView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });

/** The bytes [start, end) of `buf`, shared (as `buf.subarray(start, end)`); the caller checks the bounds. */
export function bufferView(buf: Buffer, start: number, end: number): Buffer {
  return new BufferView(buf.buffer as ArrayBuffer, buf.byteOffset + start, end - start) as unknown as Buffer;
}
