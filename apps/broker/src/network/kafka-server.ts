import * as net from 'node:net';
import { FrameTooLargeError, RequestFramer } from './request-framer';

/**
 * What the API layer answers for one request frame (given without its size prefix): the whole
 * response frame, size prefix included, as one buffer or as pieces written in order (a Fetch
 * response's records stay in the buffers they were read into), or null when no response is
 * expected (Produce acks=0).
 */
export type ResponseFrame = Buffer | Buffer[] | null;
export type RequestHandler = (frame: Buffer, connection: ConnectionInfo) => Promise<ResponseFrame> | ResponseFrame;

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /** Who is on the other end; SASL authentication fills it in. */
  session: ConnectionSession;
}

export interface ConnectionSession {
  /** 'User:ANONYMOUS' until a SASL login names someone. */
  principal: string;
  authenticated: boolean;
  /** The mechanism chosen by SaslHandshake, awaiting SaslAuthenticate. */
  saslMechanism: string | null;
  /** Close once the responses queued so far are written (a failed login, as Kafka does). */
  closeAfterResponse: boolean;
}

export const ANONYMOUS = 'User:ANONYMOUS';

export interface KafkaServerOptions {
  host: string;
  port: number;
  /** socket.request.max.bytes */
  maxRequestBytes: number;
  /** queued.max.requests per connection: reading pauses while this many are unanswered. */
  maxInFlightPerConnection: number;
  /** Called when a connection is closed for a protocol violation or a handler failure. */
  onConnectionError?: (info: ConnectionInfo, error: Error) => void;
}

export const DEFAULT_KAFKA_SERVER_OPTIONS: KafkaServerOptions = {
  host: '127.0.0.1',
  port: 9092,
  maxRequestBytes: 100 * 1024 * 1024,
  maxInFlightPerConnection: 500,
};

interface Pending {
  done: boolean;
  response: ResponseFrame;
}

/**
 * The raw TCP side of the Kafka listener: framing, per-connection ordering (Kafka clients rely
 * on responses arriving in request order), back-pressure, and isolation: a bad frame or a
 * failing handler closes that one connection, never the process.
 */
export class KafkaServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private nextConnectionId = 1;
  private readonly options: KafkaServerOptions;

  constructor(
    private readonly handler: RequestHandler,
    options: Partial<KafkaServerOptions> = {},
  ) {
    this.options = { ...DEFAULT_KAFKA_SERVER_OPTIONS, ...options };
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

  get connectionCount(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const info: ConnectionInfo = {
      id: this.nextConnectionId++,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      session: { principal: ANONYMOUS, authenticated: false, saslMechanism: null, closeAfterResponse: false },
    };
    const framer = new RequestFramer(this.options.maxRequestBytes);
    const queue: Pending[] = [];
    let closed = false;
    this.sockets.add(socket);
    socket.setNoDelay(true);

    const fail = (error: Error) => {
      if (closed) return;
      closed = true;
      this.options.onConnectionError?.(info, error);
      socket.destroy();
    };

    // Frames read but not yet handed to the handler: at most one read's worth while paused.
    let backlog: Buffer[] = [];

    const dispatch = () => {
      while (backlog.length > 0 && queue.length < this.options.maxInFlightPerConnection && !closed) {
        const frame = backlog.shift() as Buffer;
        const pending: Pending = { done: false, response: null };
        queue.push(pending);
        let result: Promise<ResponseFrame> | ResponseFrame;
        try {
          result = this.handler(frame, info);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (result instanceof Promise) {
          result.then(
            (response) => {
              pending.done = true;
              pending.response = response;
              writeCompleted();
            },
            (error: Error) => fail(error),
          );
        } else {
          pending.done = true;
          pending.response = result;
        }
      }
      if (backlog.length > 0 || queue.length >= this.options.maxInFlightPerConnection) socket.pause();
      else if (socket.isPaused() && !closed) socket.resume();
    };

    // Completed responses wait for the end of this event-loop turn, then leave in one writev: a
    // parked fetch woken by a produce and that produce's own answer (one connection, as a client
    // that produces and consumes has) cost one write and wake the client once, not twice.
    let outgoing: Buffer[] = [];
    let flushScheduled = false;
    const flush = () => {
      flushScheduled = false;
      if (closed) return;
      // corked writes become one writev: no copy of large fetch responses
      socket.cork();
      for (const bytes of outgoing) socket.write(bytes);
      socket.uncork();
      outgoing = [];
      if (info.session.closeAfterResponse && queue.length === 0) {
        closed = true;
        socket.end();
      }
    };

    const writeCompleted = () => {
      // completed responses from the head only: order is per connection
      while (queue.length > 0 && queue[0].done) {
        const { response } = queue.shift() as Pending;
        if (Array.isArray(response)) outgoing.push(...response);
        else if (response !== null) outgoing.push(response);
      }
      if (outgoing.length > 0 && !flushScheduled && !closed) {
        flushScheduled = true;
        setImmediate(flush);
      }
      if (info.session.closeAfterResponse && queue.length === 0 && !flushScheduled && !closed) {
        closed = true;
        socket.end();
        return;
      }
      if (!closed) dispatch();
    };

    socket.on('data', (chunk: Buffer) => {
      try {
        backlog = backlog.concat(framer.push(chunk));
      } catch (error) {
        fail(error instanceof FrameTooLargeError ? error : new Error(String(error)));
        return;
      }
      dispatch();
      writeCompleted();
    });
    socket.on('error', (error) => fail(error));
    socket.on('close', () => {
      closed = true;
      this.sockets.delete(socket);
    });
  }
}
