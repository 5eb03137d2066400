import { ATTRIBUTES, BATCH } from './batch-layout';
import { Cursor } from './varint';

/**
 * Looks into record batches through their headers alone, for the broker's metrics and traces:
 * one step per batch, never per record, and no decompression. Bytes that do not walk as batches
 * end the walk (what was counted so far is the answer): validation is the log's job, not this.
 */

/** Records in a run of batches, from each batch header's last offset delta. */
export function countRecords(buf: Buffer): number {
  let records = 0;
  for (let pos = 0; buf.length - pos >= BATCH.HEADER_SIZE; ) {
    const size = buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE) break;
    // a fetch may end in a partial batch: its records are not there
    if (size > buf.length - pos) break;
    records += buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA) + 1;
    pos += size;
  }
  return records;
}

/**
 * The value of header `key` on the first record of each batch, for at most `maxBatches` batches
 * (the headers of a compressed batch are not read: they would need the whole batch inflated).
 * Batches whose first record lacks the header give nothing.
 */
export function firstRecordHeaderValues(buf: Buffer, key: string, maxBatches: number): Buffer[] {
  const found: Buffer[] = [];
  const wanted = Buffer.from(key, 'utf8');
  let batches = 0;
  for (let pos = 0; buf.length - pos >= BATCH.HEADER_SIZE && batches < maxBatches; batches++) {
    const size = buf.readInt32BE(pos + BATCH.LENGTH) + BATCH.LOG_OVERHEAD;
    if (size < BATCH.HEADER_SIZE || size > buf.length - pos) break;
    const compressed = (buf.readInt16BE(pos + BATCH.ATTRIBUTES) & ATTRIBUTES.COMPRESSION_MASK) !== 0;
    if (!compressed && buf.readInt32BE(pos + BATCH.RECORDS_COUNT) > 0) {
      const value = headerOfFirstRecord(new Cursor(buf, pos + BATCH.HEADER_SIZE, pos + size), wanted);
      if (value) found.push(value);
    }
    pos += size;
  }
  return found;
}

function headerOfFirstRecord(cursor: Cursor, wanted: Buffer): Buffer | null {
  try {
    const length = cursor.varint();
    cursor.end = Math.min(cursor.end, cursor.pos + length);
    cursor.pos += 1; // attributes
    cursor.varint(); // timestamp delta
    cursor.varint(); // offset delta
    skipBytes(cursor); // key
    skipBytes(cursor); // value
    const count = cursor.varint();
    for (let i = 0; i < count; i++) {
      const keyLength = cursor.varint();
      const keyStart = cursor.pos;
      cursor.pos += Math.max(0, keyLength);
      const valueLength = cursor.varint();
      if (cursor.pos + Math.max(0, valueLength) > cursor.end) return null;
      if (keyLength === wanted.length && cursor.buf.compare(wanted, 0, wanted.length, keyStart, keyStart + keyLength) === 0) {
        return valueLength < 0 ? null : cursor.buf.subarray(cursor.pos, cursor.pos + valueLength);
      }
      cursor.pos += Math.max(0, valueLength);
    }
    return null;
  } catch {
    return null; // a malformed record carries no trace context; the log validates it elsewhere
  }
}

function skipBytes(cursor: Cursor): void {
  const length = cursor.varint();
  if (length > 0) cursor.pos += length;
}
