import { CorruptRecordError } from './errors';

/**
 * Zigzag varints (int32) and varlongs of the record format, on plain numbers. Values are JS safe
 * integers: record deltas are int32 and timestamp deltas fit 53 bits, so no BigInt on the hot path.
 */

const TWO_POW_32 = 2 ** 32;
/** 2^53 zigzagged needs 54 bits: eight 7-bit groups carry 56, so a ninth byte means out of range. */
const MAX_VARLONG_BYTES = 8;

export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes taken by the zigzag varint of `value`. */
export function sizeOfVarint(value: number): number {
  let u = zigzag(value);
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    size++;
  }
  return size;
}

/** Writes the zigzag varint of `value` at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let u = zigzag(value);
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u = u < TWO_POW_32 ? u >>> 7 : Math.floor(u / 128);
  }
  buf[pos++] = u;
  return pos;
}

/** A read position within [pos, end): readers share one cursor instead of returning pairs. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  varint(): number {
    // one or two bytes (-8192..8191: deltas, lengths and counts of most records) without the loop
    const pos = this.pos;
    const first = pos < this.end ? this.buf[pos] : 0x80;
    if (first < 0x80) {
      this.pos = pos + 1;
      return first & 1 ? -((first + 1) >>> 1) : first >>> 1;
    }
    const second = pos + 1 < this.end ? this.buf[pos + 1] : 0x80;
    if (second < 0x80) {
      this.pos = pos + 2;
      const u = (first & 0x7f) | (second << 7);
      return u & 1 ? -((u + 1) >>> 1) : u >>> 1;
    }
    return this.longVarint();
  }

  private longVarint(): number {
    const buf = this.buf;
    let u = 0;
    let multiplier = 1;
    for (let i = 0; i < MAX_VARLONG_BYTES; i++) {
      if (this.pos >= this.end) throw new CorruptRecordError('varint runs past the end of the record');
      const byte = buf[this.pos++];
      u += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      multiplier *= 128;
    }
    throw new CorruptRecordError('varint longer than the record format allows');
  }
}
