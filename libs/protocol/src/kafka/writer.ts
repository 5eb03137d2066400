/**
 * The bytes of uuids written lately, by their text: a topic id goes into every Fetch and
 * Metadata response of its topic, and parsing its hex each time was a visible cost per request.
 */
const uuidBytes = new Map<string, Buffer>();
const MAX_CACHED_UUIDS = 4096;

/**
 * Growable writer for Kafka's big-endian primitives. Starts from Buffer.allocUnsafe, which
 * carves small buffers out of Node's shared pool, and doubles when full, so encoding a message
 * costs a handful of allocations rather than one per field. For hot paths, `Writer.pooled()`
 * lends a long-lived scratch writer whose grown buffer is reused across messages.
 */
export class Writer {
  private buf: Buffer;
  offset = 0;
  /** A gathering writer's finished pieces (see Writer.gathering); null for a plain writer. */
  private pieces: Buffer[] | null = null;
  private gatherMinBytes = Infinity;
  /** Where this writer's own bytes not yet handed out as a piece begin. */
  private pieceStart = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /**
   * A writer that references raw values of at least `minBytes` (record batches) instead of
   * copying them: `finishPieces()` returns its own bytes and those values in order, for one
   * writev. `offset` then counts only the writer's own bytes; nothing may be patched after a
   * value was referenced.
   */
  static gathering(minBytes: number, initialCapacity = 256): Writer {
    const w = new Writer(initialCapacity);
    w.pieces = [];
    w.gatherMinBytes = minBytes;
    return w;
  }

  /** The bytes written, as pieces to send in order (one piece unless values were gathered). */
  finishPieces(): Buffer[] {
    const own = this.buf.subarray(this.pieceStart, this.offset);
    if (this.pieces === null || this.pieces.length === 0) return [own];
    return own.length > 0 ? [...this.pieces, own] : this.pieces;
  }

  /** Makes room for `n` more bytes. */
  private ensure(n: number): void {
    const needed = this.offset + n;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  }

  /** The bytes written so far, as a view (no copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  /** The bytes written so far, copied into a buffer of exactly that size. */
  finishCopy(): Buffer {
    const out = Buffer.allocUnsafe(this.offset);
    this.buf.copy(out, 0, 0, this.offset);
    return out;
  }

  /**
   * Runs `fill` against a shared scratch writer and returns a right-sized copy of what it wrote.
   * Encoding is synchronous, so one scratch per process is safe; re-entrant calls get their own.
   * A scratch that grew past POOL_LIMIT (a huge fetch response) is dropped so it is not pinned.
   */
  static pooled(fill: (w: Writer) => void): Buffer {
    const w = pool ?? new Writer(POOL_INITIAL);
    pool = undefined;
    w.offset = 0;
    try {
      fill(w);
      return w.finishCopy();
    } finally {
      if (w.buf.length <= POOL_LIMIT) pool = w;
    }
  }

  int8(value: number): this {
    this.ensure(1);
    this.offset = this.buf.writeInt8(value, this.offset);
    return this;
  }
  bool(value: boolean): this {
    this.ensure(1);
    this.buf[this.offset++] = value ? 1 : 0;
    return this;
  }
  int16(value: number): this {
    this.ensure(2);
    this.offset = this.buf.writeInt16BE(value, this.offset);
    return this;
  }
  uint16(value: number): this {
    this.ensure(2);
    this.offset = this.buf.writeUInt16BE(value, this.offset);
    return this;
  }
  int32(value: number): this {
    this.ensure(4);
    this.offset = this.buf.writeInt32BE(value, this.offset);
    return this;
  }
  uint32(value: number): this {
    this.ensure(4);
    this.offset = this.buf.writeUInt32BE(value, this.offset);
    return this;
  }
  int64(value: bigint): this {
    this.ensure(8);
    this.offset = this.buf.writeBigInt64BE(value, this.offset);
    return this;
  }
  float64(value: number): this {
    this.ensure(8);
    this.offset = this.buf.writeDoubleBE(value, this.offset);
    return this;
  }

  /** Unsigned varint of a value in [0, 2^32). */
  uvarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.offset++] = v;
    return this;
  }
  /** Zigzag signed 32-bit varint. */
  varint(value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }
  /** Unsigned varlong of a value in [0, 2^64). */
  uvarlong(value: bigint): this {
    this.ensure(10);
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.buf[this.offset++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.offset++] = Number(v);
    return this;
  }
  /** Zigzag signed 64-bit varlong. */
  varlong(value: bigint): this {
    const v = BigInt.asIntN(64, value);
    return this.uvarlong((v << 1n) ^ (v >> 63n));
  }

  /** A uuid given as 32 hex digits, dashes optional. */
  uuid(value: string): this {
    let bytes = uuidBytes.get(value);
    if (bytes === undefined) {
      const hex = value.replace(/-/g, '');
      if (hex.length !== 32 || !/^[0-9a-fA-F]+$/.test(hex)) throw new TypeError(`not a uuid: ${value}`);
      bytes = Buffer.from(hex, 'hex');
      if (uuidBytes.size >= MAX_CACHED_UUIDS) uuidBytes.clear();
      uuidBytes.set(value, bytes);
    }
    this.ensure(16);
    bytes.copy(this.buf, this.offset);
    this.offset += 16;
    return this;
  }

  raw(value: Uint8Array): this {
    if (this.pieces !== null && value.length >= this.gatherMinBytes) {
      // earlier pieces are views of this.buf: a later ensure() copies into a new buffer and
      // leaves them intact, and nothing writes behind pieceStart again
      if (this.offset > this.pieceStart) this.pieces.push(this.buf.subarray(this.pieceStart, this.offset));
      this.pieces.push(Buffer.from(value.buffer, value.byteOffset, value.length));
      this.pieceStart = this.offset;
      return this;
    }
    this.ensure(value.length);
    this.buf.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  // --- classic forms --------------------------------------------------------------------------

  string(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 0x7fff) throw new RangeError(`string of ${length} bytes exceeds int16 length`);
    this.int16(length);
    return this.utf8(value, length);
  }
  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }
  bytes(value: Uint8Array): this {
    return this.int32(value.length).raw(value);
  }
  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value);
  }

  // --- compact forms --------------------------------------------------------------------------

  compactString(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.uvarint(length + 1);
    return this.utf8(value, length);
  }
  compactNullableString(value: string | null): this {
    return value === null ? this.uvarint(0) : this.compactString(value);
  }
  compactBytes(value: Uint8Array): this {
    return this.uvarint(value.length + 1).raw(value);
  }
  compactNullableBytes(value: Uint8Array | null): this {
    return value === null ? this.uvarint(0) : this.compactBytes(value);
  }

  private utf8(value: string, byteLength: number): this {
    this.ensure(byteLength);
    this.offset += this.buf.write(value, this.offset, byteLength, 'utf8');
    return this;
  }

  // --- size prefixes --------------------------------------------------------------------------

  /** Reserves an int32 to be filled by `patchInt32` once the following bytes are known. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.offset;
    this.offset += 4;
    return at;
  }
  patchInt32(at: number, value: number): void {
    this.buf.writeInt32BE(value, at);
  }
}

const POOL_INITIAL = 64 * 1024;
const POOL_LIMIT = 16 * 1024 * 1024;
let pool: Writer | undefined;
