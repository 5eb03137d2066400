/** Small frames are read here and copied out; a frame that does not fit gets a buffer of its own. */
const SCRATCH_BYTES = 64 * 1024;
const SIZE_BYTES = 4;

/**
 * Splits a byte stream into size-prefixed frames, telling the socket where to read next (net's
 * `onread` option): small frames land in a scratch buffer and are copied out, one at a time; a
 * frame too large for what is left of the scratch gets a buffer of exactly its size, which the
 * socket then reads straight into. A multi-megabyte Fetch response so arrives without being
 * joined from 64 KiB chunks: no copy of its bytes, no chunk objects.
 */
export class FrameReader {
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unparsed bytes of the scratch: [start, end). */
  private start = 0;
  private end = 0;
  /** A large frame being read into its own buffer, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;
  private failed = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onBadFrame: (size: number) => void,
  ) {}

  /** Where the next read goes: never empty. */
  nextBuffer(): Buffer {
    if (this.frame) return this.frame.subarray(this.filled);
    return this.scratch.subarray(this.end);
  }

  /** `bytes` were read into the buffer nextBuffer() last gave. */
  onRead(bytes: number): void {
    if (this.failed) return;
    if (this.frame) {
      this.filled += bytes;
      if (this.filled < this.frame.length) return;
      const frame = this.frame;
      this.frame = null;
      this.onFrame(frame);
      return;
    }
    this.end += bytes;
    this.parse();
  }

  /** Bounded: each pass hands over one whole frame or stops. */
  private parse(): void {
    while (this.end - this.start >= SIZE_BYTES) {
      const size = this.scratch.readInt32BE(this.start);
      if (size < SIZE_BYTES || size > this.maxFrameBytes) {
        this.failed = true;
        this.onBadFrame(size);
        return;
      }
      const body = this.start + SIZE_BYTES;
      const arrived = this.end - body;
      if (arrived >= size) {
        this.start = body + size;
        this.onFrame(Buffer.from(this.scratch.subarray(body, body + size)));
        continue;
      }
      if (size > SCRATCH_BYTES - SIZE_BYTES) {
        // the rest is read straight into the frame's own buffer
        this.frame = Buffer.allocUnsafe(size);
        this.filled = this.scratch.copy(this.frame, 0, body, this.end);
        this.start = this.end = 0;
        return;
      }
      break;
    }
    // what is left is the start of a frame that fits the scratch: move it to the front so it does
    if (this.start === this.end) this.start = this.end = 0;
    else if (this.start > 0) {
      this.scratch.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
  }
}
