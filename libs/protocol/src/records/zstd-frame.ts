import { Decoder, Encoder } from '@toondepauw/node-zstd';
import { CompressionError } from './errors';

/**
 * Zstandard frames (magic 0xFD2FB528), as zstd-jni and librdkafka write them, possibly without a
 * content size. Before decoding we walk the block headers: a block regenerates at most 128 KiB
 * (raw and RLE blocks state their size), so the output is bounded without trusting the header.
 */

const FRAME_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;
const LEVEL = 3; // zstd's default level, as Kafka's

const encoder = new Encoder(LEVEL);
const decoder = new Decoder();

export function zstdCompress(data: Buffer): Buffer {
  return encoder.encodeSync(data);
}

export function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  const bound = outputBound(data);
  if (bound > maxBytes) throw new CompressionError(`zstd: output may reach ${bound} bytes, above the limit of ${maxBytes}`, true);
  let out: Buffer;
  try {
    out = decoder.decodeSync(data);
  } catch (error) {
    throw new CompressionError(`zstd: ${(error as Error).message}`);
  }
  if (out.length > maxBytes) throw new CompressionError(`zstd: output exceeds the limit of ${maxBytes} bytes`, true);
  return out;
}

/** Upper bound of the decompressed size of every frame in `data` (skippable frames count zero). */
function outputBound(data: Buffer): number {
  const fail = (why: string): never => {
    throw new CompressionError(`zstd: ${why}`);
  };
  let bound = 0;
  let pos = 0;
  while (pos < data.length) {
    if (pos + 4 > data.length) fail('truncated frame magic');
    const magic = data.readUInt32LE(pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (pos + 8 > data.length) fail('truncated skippable frame');
      pos += 8 + data.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) fail('not a zstd frame');
    if (pos + 5 > data.length) fail('truncated frame header');
    const descriptor = data[pos + 4];
    const singleSegment = (descriptor & 0x20) !== 0;
    const dictIdBytes = [0, 1, 2, 4][descriptor & 0x03];
    const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6];
    pos += 5 + (singleSegment ? 0 : 1) + dictIdBytes + contentSizeBytes;
    while (true) {
      if (pos + 3 > data.length) fail('truncated block header');
      const header = data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16);
      pos += 3;
      const type = (header >> 1) & 0x03;
      const size = header >>> 3;
      if (type === 3) fail('reserved block type');
      if (type === 1) {
        bound += size; // RLE: one byte repeated `size` times
        pos += 1;
      } else {
        if (size > BLOCK_MAX) fail('block above 128 KiB');
        bound += type === 0 ? size : BLOCK_MAX;
        pos += size;
      }
      if (pos > data.length) fail('block runs past the payload');
      if ((header & 1) !== 0) break;
    }
    if ((descriptor & 0x04) !== 0) pos += 4; // content checksum
  }
  if (pos > data.length) fail('truncated content checksum');
  return bound;
}
