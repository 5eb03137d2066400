import { MalformedMessageError } from './errors';

/**
 * Sequential reader over a Buffer for Kafka's big-endian primitives. Every read is bounds-checked
 * and throws MalformedMessageError instead of reading past `end`; lengths and element counts
 * are validated against the bytes left, so hostile input cannot trigger huge allocations.
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    end = buffer.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Reserves `n` bytes and returns where they start. */
  private take(n: number): number {
    const at = this.offset;
    if (n > this.end - at) {
      throw new MalformedMessageError(`need ${n} bytes at offset ${at}, only ${this.end - at} left`);
    }
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }
  bool(): boolean {
    return this.buffer[this.take(1)] !== 0;
  }
  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }
  uint16(): number {
    return this.buffer.readUInt16BE(this.take(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }
  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }
  float64(): number {
    return this.buffer.readDoubleBE(this.take(8));
  }

  /** Unsigned varint of at most 5 bytes (32 bits), returned as a non-negative number. */
  uvarint(): number {
    let result = 0;
    for (let i = 0; i < 5; i++) {
      const byte = this.buffer[this.take(1)];
      result += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) throw new MalformedMessageError('unsigned varint exceeds 32 bits');
        return result;
      }
    }
    throw new MalformedMessageError('unsigned varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Unsigned varlong of at most 10 bytes. */
  uvarlong(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.buffer[this.take(1)];
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffffffffffffn) throw new MalformedMessageError('unsigned varlong exceeds 64 bits');
        return result;
      }
    }
    throw new MalformedMessageError('unsigned varlong longer than 10 bytes');
  }

  /** Zigzag-encoded signed 64-bit varlong. */
  varlong(): bigint {
    const raw = this.uvarlong();
    return (raw >> 1n) ^ -(raw & 1n);
  }

  uuid(): string {
    const at = this.take(16);
    const hex = this.buffer.toString('hex', at, at + 16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Raw bytes as a view into the underlying buffer (no copy). */
  raw(length: number): Buffer {
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  private utf8(length: number): string {
    const at = this.take(length);
    return this.buffer.toString('utf8', at, at + length);
  }

  // --- classic (int16 / int32 length) forms -------------------------------------------------

  string(): string {
    const length = this.int16();
    if (length < 0) throw new MalformedMessageError(`negative string length ${length}`);
    return this.utf8(length);
  }
  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new MalformedMessageError(`negative string length ${length}`);
    return this.utf8(length);
  }
  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) throw new MalformedMessageError(`negative bytes length ${length}`);
    return this.raw(length);
  }
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new MalformedMessageError(`negative bytes length ${length}`);
    return this.raw(length);
  }

  // --- compact (unsigned varint N+1) forms --------------------------------------------------

  compactString(): string {
    const lengthPlusOne = this.uvarint();
    if (lengthPlusOne === 0) throw new MalformedMessageError('null in a non-nullable compact string');
    return this.utf8(lengthPlusOne - 1);
  }
  compactNullableString(): string | null {
    const lengthPlusOne = this.uvarint();
    return lengthPlusOne === 0 ? null : this.utf8(lengthPlusOne - 1);
  }
  compactBytes(): Buffer {
    const lengthPlusOne = this.uvarint();
    if (lengthPlusOne === 0) throw new MalformedMessageError('null in non-nullable compact bytes');
    return this.raw(lengthPlusOne - 1);
  }
  compactNullableBytes(): Buffer | null {
    const lengthPlusOne = this.uvarint();
    return lengthPlusOne === 0 ? null : this.raw(lengthPlusOne - 1);
  }

  // --- array headers --------------------------------------------------------------------------

  /**
   * Reads a classic int32 element count; -1 is null (returned as -1 only if `nullable`).
   * Every element takes at least one byte, so a count above the bytes left is rejected up front.
   */
  arrayLength(nullable: boolean): number {
    const count = this.int32();
    if (count === -1 && nullable) return -1;
    return this.checkCount(count);
  }
  /** Reads a compact array count (uvarint N+1); returns -1 for null when `nullable`. */
  compactArrayLength(nullable: boolean): number {
    const countPlusOne = this.uvarint();
    if (countPlusOne === 0) {
      if (nullable) return -1;
      throw new MalformedMessageError('null in a non-nullable compact array');
    }
    return this.checkCount(countPlusOne - 1);
  }
  private checkCount(count: number): number {
    if (count < 0) throw new MalformedMessageError(`negative array length ${count}`);
    if (count > this.remaining) {
      throw new MalformedMessageError(`array of ${count} elements cannot fit in ${this.remaining} bytes`);
    }
    return count;
  }

  /** Skips `length` bytes (used for unknown tagged fields). */
  skip(length: number): void {
    this.take(length);
  }
}
