import { ConsumedRecord, readRecordBatches } from '@tributary/protocol';
import { DeliveryEncoder, DeliveryFormats } from '../record-codec';

/** Per-record overhead counted beside key and value bytes (the record object, offsets, headers array). */
const RECORD_OVERHEAD_BYTES = 64;

/** Frame bodies kept per encoding: a subscriber walks a chunk in a few frames, the others follow the same steps. */
const MAX_JOINED_RUNS = 4;

/** A chunk's deliveries in one format: the JSON text of each record, and frame bodies joined from runs of them. */
interface Encoding {
  texts: string[];
  /** Joined bodies by "start:end", oldest first. */
  runs: Map<string, Buffer>;
}

/**
 * The records of one Fetch answer for one partition, shared by every subscriber reading there.
 * It answers reads of offsets [from, next): `from` is the offset that was fetched and `next` the
 * offset after the last one the answer covered (control batches and compacted-away offsets
 * included), so a reader anywhere in the range finds its next record or learns it may move on.
 * Deliveries are encoded once per format on first use, and a frame body joined from a run of them
 * are kept, so a thousand subscribers at one position cost one encoding and one join per frame.
 */
export class FeedChunk {
  /** Bytes this chunk holds: records plus their encodings; the cache's budget counts them. */
  bytes: number;
  private readonly encodings = new Map<string, Encoding>();

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly from: number,
    readonly next: number,
    readonly records: readonly ConsumedRecord[],
    /** When the records arrived at the gateway (epoch ms), for delivery spans. */
    readonly receivedAt: number,
  ) {
    let bytes = 0;
    for (const record of records) bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
    this.bytes = bytes;
  }

  /**
   * The chunk of a Fetch answer's record bytes read from `from`, or null when it covers no offset
   * at or after `from` (an empty answer). The bytes are copied so the chunk pins only its own
   * partition's data, not the whole response buffer.
   */
  static of(topic: string, partition: number, from: number, recordBytes: Buffer | null): FeedChunk | null {
    if (!recordBytes || recordBytes.length === 0) return null;
    const own = Buffer.from(recordBytes);
    const records: ConsumedRecord[] = [];
    let next = from;
    for (const batch of readRecordBatches(own)) {
      const last = batch.lastOffset;
      if (last < next) continue;
      if (!batch.isControl) {
        for (const record of batch.records()) if (record.offset >= next) records.push(record);
      }
      next = last + 1;
    }
    return next > from ? new FeedChunk(topic, partition, from, next, records, Date.now()) : null;
  }

  covers(offset: number): boolean {
    return offset >= this.from && offset < this.next;
  }

  /** Index of the first record at or after `offset` (records.length when only skipped offsets remain). */
  indexOf(offset: number): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.records[mid].offset < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * The body of a records frame (deliveries joined by commas) for records [start, end) in
   * `formats`, and how many bytes that added to the chunk's `bytes` (0 when already there).
   */
  body(formats: DeliveryFormats, formatKey: string, start: number, end: number): { body: Buffer; addedBytes: number } {
    let encoding = this.encodings.get(formatKey);
    let addedBytes = 0;
    if (!encoding) {
      const texts = new DeliveryEncoder(formats).encodeBatch(this.topic, this.partition, this.records);
      for (const text of texts) addedBytes += text.length;
      encoding = { texts, runs: new Map() };
      this.encodings.set(formatKey, encoding);
    }
    const runKey = `${start}:${end}`;
    const joined = encoding.runs.get(runKey);
    if (joined) {
      this.bytes += addedBytes;
      return { body: joined, addedBytes };
    }
    const body = Buffer.from(encoding.texts.slice(start, end).join(','));
    addedBytes += body.length;
    if (encoding.runs.size >= MAX_JOINED_RUNS) {
      const [oldestKey, oldest] = encoding.runs.entries().next().value as [string, Buffer];
      encoding.runs.delete(oldestKey);
      addedBytes -= oldest.length;
    }
    encoding.runs.set(runKey, body);
    this.bytes += addedBytes;
    return { body, addedBytes };
  }
}

/** The key under which a chunk keeps deliveries encoded in `formats`. */
export function formatKeyOf(formats: DeliveryFormats): string {
  return `${formats.key}/${formats.value}/${formats.headers}`;
}
