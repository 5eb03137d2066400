import * as snappy from 'snappy';
import { CompressionError } from './errors';

/**
 * Snappy as Kafka carries it. The Java client writes xerial snappy-java's stream framing (a magic
 * header, then blocks of int32 length + raw snappy); librdkafka and kafkajs may write one raw
 * snappy block. We write xerial framing and read both.
 */

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16; // magic, int32 version, int32 compatible version
const XERIAL_BLOCK_SIZE = 32 * 1024; // snappy-java's default block size

export function snappyCompress(data: Buffer): Buffer {
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappy.compressSync(data.subarray(at, at + XERIAL_BLOCK_SIZE));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return xerialDecompress(data, maxBytes);
  }
  return rawBlock(data, maxBytes);
}

function xerialDecompress(data: Buffer, maxBytes: number): Buffer {
  const blocks: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new CompressionError('snappy: truncated xerial block length');
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) throw new CompressionError('snappy: xerial block runs past the payload');
    const block = rawBlock(data.subarray(pos, pos + length), maxBytes - total);
    total += block.length;
    blocks.push(block);
    pos += length;
  }
  return blocks.length === 1 ? blocks[0] : Buffer.concat(blocks, total);
}

/** One raw snappy block; its varint preamble states the output size, checked before decoding. */
function rawBlock(block: Buffer, maxBytes: number): Buffer {
  let size = 0;
  let i = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= block.length || i >= 5) throw new CompressionError('snappy: bad length preamble');
    const byte = block[i++];
    size += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (size > maxBytes) throw new CompressionError(`snappy: ${size} bytes exceed the limit of ${maxBytes}`, true);
  try {
    return snappy.uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (error) {
    throw new CompressionError(`snappy: ${(error as Error).message}`);
  }
}
