import * as lz4 from 'lz4-napi';
import { CompressionError } from './errors';

/**
 * LZ4 in the frame format (magic 0x184D2204), as Kafka's Lz4BlockOutputStream and librdkafka write
 * it. The library decodes; we walk the frame first so that the output size is bounded before any
 * decoding: independent blocks are decoded one by one within the remaining budget.
 */

const MAGIC = 0x184d2204;
const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

export function lz4Compress(data: Buffer): Buffer {
  return lz4.compressFrameSync(data);
}

interface FrameLayout {
  independent: boolean;
  blockMax: number;
  blockChecksum: boolean;
  /** [start, end, uncompressed] of each data block */
  blocks: [number, number, boolean][];
  end: number;
}

function layout(data: Buffer, start: number): FrameLayout {
  const fail = (why: string): never => {
    throw new CompressionError(`lz4: ${why}`);
  };
  if (start + 7 > data.length || data.readUInt32LE(start) !== MAGIC) fail('not an LZ4 frame');
  const flg = data[start + 4];
  const bd = data[start + 5];
  if (flg >> 6 !== 1) fail(`unsupported frame version ${flg >> 6}`);
  const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 0x07] ?? fail(`bad block maximum size id ${(bd >> 4) & 0x07}`);
  let pos = start + 6 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0) + 1; // content size, dict id, header checksum
  const blockChecksum = (flg & 0x10) !== 0;
  const blocks: FrameLayout['blocks'] = [];
  while (true) {
    if (pos + 4 > data.length) fail('truncated block header');
    const word = data.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail(`block of ${size} bytes above the frame's maximum ${blockMax}`);
    if (pos + size + (blockChecksum ? 4 : 0) > data.length) fail('block runs past the payload');
    blocks.push([pos, pos + size, (word & 0x80000000) !== 0]);
    pos += size + (blockChecksum ? 4 : 0);
  }
  if ((flg & 0x04) !== 0) pos += 4; // content checksum
  if (pos > data.length) fail('truncated content checksum');
  return { independent: (flg & 0x20) !== 0, blockMax, blockChecksum, blocks, end: pos };
}

export function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  for (let pos = 0; pos < data.length; ) {
    const frame = layout(data, pos);
    if (frame.independent) {
      for (const [start, end, uncompressed] of frame.blocks) {
        const budget = Math.min(frame.blockMax, maxBytes - total);
        const block = uncompressed ? data.subarray(start, end) : decodeBlock(data.subarray(start, end), budget, budget < frame.blockMax);
        if (block.length > budget) throw new CompressionError(`lz4: output exceeds the limit of ${maxBytes} bytes`, true);
        total += block.length;
        out.push(block);
      }
    } else {
      // linked blocks reference earlier output: decode the whole frame if its bound fits
      const bound = frame.blocks.reduce((sum, [start, end, raw]) => sum + (raw ? end - start : frame.blockMax), 0);
      if (total + bound > maxBytes) throw new CompressionError(`lz4: frame may exceed the limit of ${maxBytes} bytes`, true);
      const decoded = guarded(() => lz4.decompressFrameSync(data.subarray(pos, frame.end)));
      total += decoded.length;
      out.push(decoded);
    }
    pos = frame.end;
  }
  return out.length === 1 ? out[0] : Buffer.concat(out, total);
}

/** The library's block decoder takes a little-endian size prefix, used as the output capacity. */
function decodeBlock(block: Buffer, capacity: number, limitedByBudget: boolean): Buffer {
  const input = Buffer.allocUnsafe(4 + block.length);
  input.writeUInt32LE(capacity, 0);
  block.copy(input, 4);
  try {
    return lz4.uncompressSync(input);
  } catch (error) {
    const why = limitedByBudget ? `output exceeds the limit (${(error as Error).message})` : (error as Error).message;
    throw new CompressionError(`lz4: ${why}`, limitedByBudget);
  }
}

function guarded(decode: () => Buffer): Buffer {
  try {
    return decode();
  } catch (error) {
    throw new CompressionError(`lz4: ${(error as Error).message}`);
  }
}
