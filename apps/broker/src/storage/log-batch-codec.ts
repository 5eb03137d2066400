import { BatchCodec, LogRecord } from '@tributary/log-engine';
import { CompressionType, RecordBatch, compress } from '@tributary/protocol';

/**
 * The log engine's window on compressed batches (it carries no compression libraries): the
 * cleaner decodes gzip/snappy/lz4/zstd batches of compacted topics through it and writes the
 * survivors back with the same codec; timestamp lookups read their records too.
 */
export const logBatchCodec: BatchCodec = {
  decodeRecords(batch: Buffer): LogRecord[] {
    // the default 64 MiB ceiling bounds a batch that decompresses to far more than it claims
    return new RecordBatch(batch, 0).records();
  },
  compressRecords(compression: number, records: Buffer): Buffer {
    return compress(compression as CompressionType, records);
  },
};
