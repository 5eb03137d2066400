import * as zlib from 'node:zlib';
import { CompressionError } from './errors';
import { lz4Compress, lz4Decompress } from './lz4-frame';
import { snappyCompress, snappyDecompress } from './snappy-xerial';
import { zstdCompress, zstdDecompress } from './zstd-frame';

/** The codec ids of the batch attributes' low three bits. */
export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Default ceiling for one batch's decompressed records when the caller sets none. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export function compressionName(type: CompressionType): string {
  return CompressionType[type]?.toLowerCase() ?? `unknown(${type})`;
}

export function parseCompressionType(name: string): CompressionType {
  const found = (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).indexOf(name.toLowerCase() as 'none');
  if (found < 0) throw new RangeError(`unknown compression "${name}" (none, gzip, snappy, lz4 or zstd)`);
  return found;
}

export function compress(type: CompressionType, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return zlib.gzipSync(data);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data);
    case CompressionType.Zstd:
      return zstdCompress(data);
    default:
      throw new CompressionError(`unknown compression type ${type as number}`);
  }
}

/** Decompresses `data`; a payload that is corrupt or would decode to more than `maxBytes` throws CompressionError. */
export function decompress(type: CompressionType, data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  switch (type) {
    case CompressionType.None:
      if (data.length > maxBytes) throw new CompressionError(`${data.length} bytes exceed the limit of ${maxBytes}`, true);
      return data;
    case CompressionType.Gzip:
      return gunzip(data, maxBytes);
    case CompressionType.Snappy:
      return snappyDecompress(data, maxBytes);
    case CompressionType.Lz4:
      return lz4Decompress(data, maxBytes);
    case CompressionType.Zstd:
      return zstdDecompress(data, maxBytes);
    default:
      throw new CompressionError(`unknown compression type ${type as number}`);
  }
}

function gunzip(data: Buffer, maxBytes: number): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new CompressionError(`gzip: ${(error as Error).message}`, tooLarge);
  }
}
