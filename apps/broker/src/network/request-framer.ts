/**
 * Splits a Kafka TCP byte stream into request frames (int32 size prefix, then the request).
 * Buffering is bounded by one maximum-size frame; a size that is negative or above the limit is
 * a protocol violation that closes the connection (Kafka's socket.request.max.bytes).
 */
export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`request frame of ${size} bytes is outside [0, ${maxBytes}]`);
  }
}

export class RequestFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being received, once its prefix is in (-1 before). */
  private expected = -1;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes and returns every frame now complete (without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    // bounded: each iteration consumes one frame of >= 4 bytes or stops; chunks are joined once
    // per frame, so a large request costs one copy rather than one per chunk
    while (this.buffered >= 4) {
      if (this.expected < 0) {
        const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.compact();
        const size = head.readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
        this.expected = size;
      }
      if (this.buffered < 4 + this.expected) break;
      const whole = this.chunks.length === 1 ? this.chunks[0] : this.compact();
      frames.push(whole.subarray(4, 4 + this.expected));
      const rest = whole.subarray(4 + this.expected);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.expected = -1;
    }
    return frames;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  private compact(): Buffer {
    const joined = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [joined];
    return joined;
  }
}
