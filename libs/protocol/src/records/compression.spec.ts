import { execFileSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import * as snappy from 'snappy';
import { CompressionType, compress, decompress, parseCompressionType } from './compression';
import { CompressionError } from './errors';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const MiB = 1024 * 1024;

/** Text-like bytes that compress but not trivially. */
function sample(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = 97 + ((x >> 16) % 16);
  }
  return out;
}

function cli(command: string, args: string[], input: Buffer): Buffer {
  return execFileSync(command, args, { input, maxBuffer: 64 * MiB });
}

describe('compression codecs', () => {
  it.each(CODECS)('codec %s round-trips empty, small and multi-block payloads', (type) => {
    for (const size of [0, 1, 1000, 200 * 1024, 3 * MiB]) {
      const data = sample(size, size + type);
      expect(decompress(type, compress(type, data)).equals(data)).toBe(true);
    }
  });

  it('names map to codec ids and back', () => {
    expect(parseCompressionType('ZSTD')).toBe(CompressionType.Zstd);
    expect(() => parseCompressionType('brotli')).toThrow(/unknown compression "brotli"/);
  });

  describe('reads what other implementations write', () => {
    const data = sample(700 * 1024, 7);

    it('lz4 frames from the reference lz4 tool: independent, linked, with block and content checksums', () => {
      for (const flags of [[], ['-BD'], ['-BX', '--content-size'], ['-B4', '-BD', '-BX']]) {
        const frame = cli('lz4', ['-c', ...flags], data);
        expect(decompress(CompressionType.Lz4, frame).equals(data)).toBe(true);
      }
    });

    it('zstd frames from the reference zstd tool: streamed without a content size, and several frames concatenated', () => {
      const streamed = cli('zstd', ['-c', '-q'], data); // from stdin: no content size in the header
      expect(decompress(CompressionType.Zstd, streamed).equals(data)).toBe(true);
      const two = Buffer.concat([cli('zstd', ['-c', '-q', '-19'], data.subarray(0, 1000)), cli('zstd', ['-c', '-q'], data.subarray(1000))]);
      expect(decompress(CompressionType.Zstd, two).equals(data)).toBe(true);
    });

    it('snappy: xerial framing (Java) and one raw block (librdkafka, kafkajs)', () => {
      expect(decompress(CompressionType.Snappy, snappy.compressSync(data)).equals(data)).toBe(true);
      expect(compress(CompressionType.Snappy, data).subarray(0, 8).toString('latin1')).toBe('\x82SNAPPY\x00');
    });

    it('the reference tools read what we write', () => {
      expect(cli('lz4', ['-d', '-c'], compress(CompressionType.Lz4, data)).equals(data)).toBe(true);
      expect(cli('zstd', ['-d', '-c', '-q'], compress(CompressionType.Zstd, data)).equals(data)).toBe(true);
      expect(zlib.gunzipSync(compress(CompressionType.Gzip, data)).equals(data)).toBe(true);
    });
  });

  describe('bounded output', () => {
    const zeros = Buffer.alloc(40 * MiB);
    const limit = 1 * MiB;

    it.each(CODECS)('codec %s refuses a payload that inflates past the limit, with MESSAGE_TOO_LARGE', (type) => {
      const bomb = compress(type, zeros);
      expect(bomb.length).toBeLessThan(zeros.length / 16); // it really is a bomb
      let caught: unknown;
      try {
        decompress(type, bomb, limit);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CompressionError);
      expect((caught as CompressionError).errorName).toBe('MESSAGE_TOO_LARGE');
      expect(decompress(type, bomb, zeros.length).length).toBe(zeros.length); // and the limit is the only reason
    });

    it('a snappy block that claims 4 GiB is refused before decoding', () => {
      const forged = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
      expect(() => decompress(CompressionType.Snappy, forged, limit)).toThrow(/exceed the limit/);
    });

    it('the reference tools\' bombs are refused too (lz4 linked blocks, zstd without content size)', () => {
      expect(() => decompress(CompressionType.Lz4, cli('lz4', ['-c', '-BD'], zeros), limit)).toThrow(CompressionError);
      expect(() => decompress(CompressionType.Zstd, cli('zstd', ['-c', '-q'], zeros), limit)).toThrow(CompressionError);
    });
  });

  it.each(CODECS)('codec %s: garbage and mutated payloads fail with CompressionError only', (type) => {
    const good = compress(type, sample(50 * 1024, 3));
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const bad = Buffer.from(good);
      if (i % 3 === 0) {
        for (let k = 0; k < 1 + (random() % 4); k++) bad[random() % bad.length] = random() & 0xff;
      }
      const input = i % 3 === 1 ? bad.subarray(0, random() % bad.length) : i % 3 === 2 ? Buffer.from(sample(200, i)) : bad;
      try {
        decompress(type, input, 4 * MiB);
      } catch (error) {
        expect(error).toBeInstanceOf(CompressionError);
      }
    }
  });
});
