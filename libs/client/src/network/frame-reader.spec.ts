import fc from 'fast-check';
import { FrameReader } from './frame-reader';

function framed(bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length);
      return [size, body];
    }),
  );
}

/** Feeds `stream` the way a socket does: each read fills at most `readSizes[i]` bytes of the buffer the reader offers. */
function feed(reader: FrameReader, stream: Buffer, readSizes: number[]): void {
  let pos = 0;
  for (let i = 0; pos < stream.length; i++) {
    const target = reader.nextBuffer();
    if (target.length === 0) throw new Error('the reader offered an empty buffer');
    const bytes = Math.min(target.length, readSizes[i % readSizes.length], stream.length - pos);
    stream.copy(target, 0, pos, pos + bytes);
    pos += bytes;
    reader.onRead(bytes);
  }
}

describe('FrameReader', () => {
  it('hands over every frame whole and in order, however the stream is cut into reads, small frames and ones larger than the scratch alike', () => {
    const body = fc.oneof(fc.integer({ min: 4, max: 300 }), fc.integer({ min: 60_000, max: 300_000 })).chain((size) => fc.integer({ min: 0, max: 255 }).map((fill) => Buffer.alloc(size, fill)));
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 12 }), fc.array(fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1_000, max: 200_000 })), { minLength: 1, maxLength: 8 }), (bodies, readSizes) => {
        const frames: Buffer[] = [];
        const reader = new FrameReader(1 << 20, (frame) => frames.push(frame), () => fail('no frame is out of bounds'));
        feed(reader, framed(bodies), readSizes);
        // compared once everything is read: no later read may have overwritten a frame handed over
        expect(frames.map((f) => f.length)).toEqual(bodies.map((b) => b.length));
        expect(frames.every((frame, i) => frame.equals(bodies[i]))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('one byte at a time works too', () => {
    const bodies = [Buffer.from('first frame'), Buffer.alloc(70_000, 7), Buffer.from('last')];
    const frames: Buffer[] = [];
    feed(new FrameReader(1 << 20, (frame) => frames.push(frame), () => undefined), framed(bodies), [1]);
    expect(frames.every((frame, i) => frame.equals(bodies[i]))).toBe(true);
    expect(frames).toHaveLength(3);
  });

  it.each([
    ['below the 4-byte correlation id', 3],
    ['above the largest response accepted', 2_000_000],
    ['negative', -1],
  ])('a size %s is reported once and nothing after it is handed over', (_, size) => {
    const frames: Buffer[] = [];
    const bad: number[] = [];
    const reader = new FrameReader(1 << 20, (frame) => frames.push(frame), (s) => bad.push(s));
    const head = Buffer.alloc(4);
    head.writeInt32BE(size);
    feed(reader, Buffer.concat([framed([Buffer.from('good')]), head, framed([Buffer.from('after')])]), [5]);
    expect(frames).toEqual([Buffer.from('good')]);
    expect(bad).toEqual([size]);
  });
});
