import * as net from 'node:net';
import { DEFAULT_RPC_MAX_FRAME_BYTES } from './rpc-server';
import { RpcEnvelope, RpcFrameDecoder, encodeFrame } from './rpc-frames';

export class RpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The remote handler threw: its message, as sent back. */
export class RpcRemoteError extends RpcError {}

export interface RpcClientOptions {
  host: string;
  port: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  maxFrameBytes: number;
  /** Requests awaiting an answer at once; beyond it, calls fail at once (back-pressure). */
  maxInFlight: number;
  /** Reconnect backoff: starts at min, doubles, capped at max. */
  reconnectBackoffMinMs: number;
  reconnectBackoffMaxMs: number;
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The control plane's client: request/response with per-request timeouts, events, and a lazy
 * connection that is re-established (with capped exponential backoff) on the next call after a
 * failure. A bad frame from the server fails that connection's pending calls, never the process.
 */
export class RpcClient {
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private backoffMs: number;
  private nextAttemptAt = 0;
  private closed = false;
  readonly options: RpcClientOptions;

  constructor(options: Partial<RpcClientOptions> & { host: string; port: number }) {
    this.options = {
      requestTimeoutMs: 10_000,
      connectTimeoutMs: 3_000,
      maxFrameBytes: DEFAULT_RPC_MAX_FRAME_BYTES,
      maxInFlight: 1000,
      reconnectBackoffMinMs: 50,
      reconnectBackoffMaxMs: 2_000,
      ...options,
    };
    this.backoffMs = this.options.reconnectBackoffMinMs;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  async request<T = unknown>(pattern: string, data: unknown, timeoutMs = this.options.requestTimeoutMs): Promise<T> {
    if (this.pending.size >= this.options.maxInFlight) throw new RpcError(`too many requests in flight to ${this.address}`);
    const socket = await this.connect();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(`${pattern} to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      this.write(socket, encodeFrame({ kind: 'request', id, pattern, data }));
    });
  }

  async emit(pattern: string, data: unknown): Promise<void> {
    const socket = await this.connect();
    this.write(socket, encodeFrame({ kind: 'event', id: 0, pattern, data }));
  }

  /**
   * Frames written in the same turn of the event loop leave in one writev: a Raft leader sends a
   * message per proposal and per answer, and a syscall for each was a third of its CPU.
   */
  private write(socket: net.Socket, frame: Buffer): void {
    if (socket.writableCorked === 0) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    socket.write(frame);
  }

  close(): void {
    this.closed = true;
    this.drop(new RpcError(`client to ${this.address} closed`));
  }

  private connect(): Promise<net.Socket> {
    if (this.closed) return Promise.reject(new RpcError(`client to ${this.address} is closed`));
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    const wait = Math.max(0, this.nextAttemptAt - Date.now());
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      setTimeout(() => {
        const socket = net.connect({ host: this.options.host, port: this.options.port });
        const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), this.options.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.setNoDelay(true);
          this.backoffMs = this.options.reconnectBackoffMinMs;
          this.attach(socket);
          resolve(socket);
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          if (this.socket === socket) return; // handled by attach
          this.nextAttemptAt = Date.now() + this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectBackoffMaxMs);
          reject(new RpcError(`cannot reach ${this.address}: ${error.message}`));
        });
      }, wait);
    }).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    const decoder = new RpcFrameDecoder(this.options.maxFrameBytes);
    socket.on('data', (chunk: Buffer) => {
      let envelopes: RpcEnvelope[];
      try {
        envelopes = decoder.push(chunk);
      } catch (error) {
        this.drop(error as Error);
        return;
      }
      for (const envelope of envelopes) {
        const pending = this.pending.get(envelope.id);
        if (!pending) continue;
        this.pending.delete(envelope.id);
        clearTimeout(pending.timer);
        if (envelope.kind === 'error') pending.reject(new RpcRemoteError(String(envelope.data)));
        else pending.resolve(envelope.data);
      }
    });
    socket.on('error', (error) => this.drop(new RpcError(`connection to ${this.address} failed: ${error.message}`)));
    socket.on('close', () => this.drop(new RpcError(`connection to ${this.address} closed`)));
  }

  private drop(error: Error): void {
    const socket = this.socket;
    this.socket = null;
    socket?.destroy();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
