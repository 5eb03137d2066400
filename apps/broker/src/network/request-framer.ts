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

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes and returns every frame now complete (without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    // bounded: each iteration consumes one frame of >= 4 bytes or stops
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0] : this.compact();
      const size = head.readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
      if (this.buffered < 4 + size) break;
      const whole = this.chunks.length === 1 ? head : this.compact();
      frames.push(whole.subarray(4, 4 + size));
      const rest = whole.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
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
