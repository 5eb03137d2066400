import { BATCH, BatchHeader, LogRecord, decodeRecords, readHeader } from '@tributary/log-engine';
import { Partition } from './partition';

/** Bytes read from the log per step while replaying a partition. */
const READ_BYTES = 1 << 20;
/** Reads per replay at most (a 1 MiB read always advances past at least one batch). */
const MAX_READS = 1_000_000;

/** One batch of a partition's log, as a coordinator replaying its internal topic sees it. */
export interface StoredBatch {
  header: BatchHeader;
  /** The read buffer and the batch's position in it (for fields the header does not decode). */
  bytes: Buffer;
  position: number;
  /** Its records; none when they cannot be decoded here (say, compressed by another writer). */
  records(): LogRecord[];
}

/**
 * Every whole batch of `partition`'s log from its start to its end, in order: what the group and
 * transaction coordinators replay when they become leader of a partition of their internal topic.
 */
export function* storedBatches(partition: Partition): Generator<StoredBatch> {
  let offset = partition.logStartOffset;
  for (let reads = 0; offset < partition.logEndOffset && reads < MAX_READS; reads++) {
    const { records: bytes } = partition.log.read(offset, READ_BYTES);
    if (bytes.length === 0) return;
    for (let pos = 0; pos + BATCH.HEADER_SIZE <= bytes.length; ) {
      const header = readHeader(bytes, pos);
      if (header.sizeInBytes < BATCH.HEADER_SIZE || pos + header.sizeInBytes > bytes.length) break;
      offset = Math.max(offset, header.lastOffset + 1);
      const position = pos;
      yield {
        header,
        bytes,
        position,
        records: () => {
          try {
            return decodeRecords(bytes, position);
          } catch {
            return [];
          }
        },
      };
      pos += header.sizeInBytes;
    }
  }
}
