import * as net from 'node:net';
import { RpcEnvelope, RpcFrameDecoder, encodeFrame } from './rpc-frames';

export type RpcHandler = (data: unknown, pattern: string) => Promise<unknown> | unknown;

export interface RpcServerOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  /** A connection's requests being handled at once; reading pauses beyond it. */
  maxInFlightPerConnection: number;
  onConnectionError?: (error: Error) => void;
}

export const DEFAULT_RPC_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * The control plane's TCP server: msgpack envelopes in, handler results out (or an error
 * envelope with the message). A bad frame closes only its connection.
 */
export class RpcServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly options: RpcServerOptions;

  constructor(options: Partial<RpcServerOptions> & { port: number }) {
    this.options = { host: '127.0.0.1', maxFrameBytes: DEFAULT_RPC_MAX_FRAME_BYTES, maxInFlightPerConnection: 1000, ...options };
  }

  handle(pattern: string, handler: RpcHandler): void {
    this.handlers.set(pattern, handler);
  }

  async listen(): Promise<net.AddressInfo> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as net.AddressInfo;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new RpcFrameDecoder(this.options.maxFrameBytes);
    let inFlight = 0;
    const reply = (envelope: RpcEnvelope) => {
      if (!socket.destroyed) socket.write(encodeFrame(envelope));
    };
    socket.on('data', (chunk: Buffer) => {
      let envelopes: RpcEnvelope[];
      try {
        envelopes = decoder.push(chunk);
      } catch (error) {
        this.options.onConnectionError?.(error as Error);
        socket.destroy();
        return;
      }
      for (const envelope of envelopes) {
        const handler = this.handlers.get(envelope.pattern);
        if (envelope.kind === 'event') {
          if (handler) Promise.resolve().then(() => handler(envelope.data, envelope.pattern)).catch((e: Error) => this.options.onConnectionError?.(e));
          continue;
        }
        if (envelope.kind !== 'request') continue;
        if (!handler) {
          reply({ kind: 'error', id: envelope.id, pattern: envelope.pattern, data: `no handler for "${envelope.pattern}"` });
          continue;
        }
        inFlight++;
        if (inFlight >= this.options.maxInFlightPerConnection) socket.pause();
        Promise.resolve()
          .then(() => handler(envelope.data, envelope.pattern))
          .then(
            (result) => reply({ kind: 'response', id: envelope.id, pattern: envelope.pattern, data: result }),
            (error: unknown) => reply({ kind: 'error', id: envelope.id, pattern: envelope.pattern, data: error instanceof Error ? error.message : String(error) }),
          )
          .finally(() => {
            inFlight--;
            if (socket.isPaused() && inFlight < this.options.maxInFlightPerConnection) socket.resume();
          });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
