import { Packr } from 'msgpackr';

/**
 * Control-plane frames: a 4-byte big-endian length, then one msgpack value (an RpcEnvelope).
 * The decoder buffers at most one frame of `maxFrameBytes`; anything larger, or bytes that are
 * not msgpack, is a RpcFrameError and the connection that sent it is closed.
 */
export interface RpcEnvelope {
  kind: 'request' | 'response' | 'error' | 'event';
  id: number;
  pattern: string;
  data: unknown;
}

export class RpcFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpcFrameError';
  }
}

const packr = new Packr({ useRecords: false, moreTypes: true });

export function encodeFrame(envelope: RpcEnvelope): Buffer {
  const body = packr.pack(envelope);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

export class RpcFrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes; returns every complete envelope. Throws RpcFrameError on a bad frame. */
  push(chunk: Buffer): RpcEnvelope[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: RpcEnvelope[] = [];
    // bounded: each iteration consumes one frame or stops
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
      this.chunks = [head];
      const size = head.readUInt32BE(0);
      if (size > this.maxFrameBytes) throw new RpcFrameError(`frame of ${size} bytes exceeds the ${this.maxFrameBytes} byte limit`);
      if (this.buffered < 4 + size) break;
      let value: unknown;
      try {
        value = packr.unpack(head.subarray(4, 4 + size));
      } catch (error) {
        throw new RpcFrameError(`frame is not msgpack: ${(error as Error).message}`);
      }
      if (!isEnvelope(value)) throw new RpcFrameError('frame is not an RPC envelope');
      out.push(value);
      const rest = head.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return out;
  }
}

function isEnvelope(value: unknown): value is RpcEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.kind === 'request' || v.kind === 'response' || v.kind === 'error' || v.kind === 'event') && typeof v.id === 'number' && typeof v.pattern === 'string';
}
