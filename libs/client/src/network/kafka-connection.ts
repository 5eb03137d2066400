import * as net from 'node:net';
import {
  RequestApiKey,
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
  Encodable,
  apiDeclarations,
  decodeResponse,
  encodeRequestPieces,
  peekCorrelationId,
} from '@tributary/protocol';
import { FrameReader } from './frame-reader';

export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export class RequestTimeoutError extends ConnectionError {}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** Requests awaiting a response at once (max.in.flight); more wait for a slot. */
  maxInFlight: number;
  /** Largest response frame accepted. */
  maxResponseBytes: number;
  /** SASL/PLAIN credentials, sent right after version negotiation; none for a PLAINTEXT listener. */
  sasl: SaslPlainCredentials | null;
}

export interface SaslPlainCredentials {
  mechanism: 'plain';
  username: string;
  password: string;
}

/** The broker refused the credentials (SASL_AUTHENTICATION_FAILED) or the mechanism. */
export class AuthenticationError extends ConnectionError {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export const DEFAULT_CONNECTION_OPTIONS: Omit<ConnectionOptions, 'host' | 'port'> = {
  clientId: 'tributary',
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxInFlight: 100,
  maxResponseBytes: 256 * 1024 * 1024,
  sasl: null,
};

interface InFlight {
  apiKey: RequestApiKey;
  apiVersion: number;
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP connection to one Kafka broker: size-prefixed frames, correlation ids, a bounded
 * number of requests in flight, per-request timeouts, and version negotiation (ApiVersions at
 * connect; each request goes out at the highest version both sides support).
 */
export class KafkaConnection {
  private socket: net.Socket | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly waitingForSlot: (() => void)[] = [];
  private nextCorrelationId = 1;
  private brokerVersions = new Map<number, { min: number; max: number }>();
  private closedError: Error | null = null;
  readonly options: ConnectionOptions;

  constructor(options: Partial<ConnectionOptions> & { host: string; port: number }) {
    this.options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
  }

  get connected(): boolean {
    return this.socket !== null && this.closedError === null;
  }

  /** Connects and negotiates versions. */
  async connect(): Promise<void> {
    if (this.socket) return;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const reader = new FrameReader(
        this.options.maxResponseBytes,
        (frame) => this.onFrame(frame),
        (size) => this.fail(new ConnectionError(`response frame of ${size} bytes from ${this.address} is out of bounds`)),
      );
      const onread = {
        buffer: () => reader.nextBuffer(),
        callback: (bytes: number) => {
          reader.onRead(bytes);
          return true; // never pause: back-pressure is the bounded number of requests in flight
        },
      };
      const s = net.connect({ host: this.options.host, port: this.options.port, onread });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new ConnectionError(`connect to ${this.address} timed out after ${this.options.connectTimeoutMs} ms`));
      }, this.options.connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to ${this.address}: ${error.message}`));
      });
    });
    socket.setNoDelay(true);
    this.socket = socket;
    socket.on('error', (error) => this.fail(new ConnectionError(`connection to ${this.address} failed: ${error.message}`)));
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${this.address} closed`)));
    const versions = await this.send(18, 0, {});
    if (versions.errorCode !== 0) throw new ConnectionError(`ApiVersions failed with error ${versions.errorCode}`);
    this.brokerVersions = new Map(versions.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    if (this.options.sasl) await this.authenticate(this.options.sasl);
  }

  /** SaslHandshake v1 + SaslAuthenticate with a PLAIN token (RFC 4616: authzid NUL authcid NUL password). */
  private async authenticate(credentials: SaslPlainCredentials): Promise<void> {
    const handshake = await this.send(17, 1, { mechanism: 'PLAIN' });
    if (handshake.errorCode !== 0) {
      this.close();
      throw new AuthenticationError(`${this.address} does not accept SASL/PLAIN (it offers: ${handshake.mechanisms.join(', ') || 'nothing'})`);
    }
    const token = Buffer.from(`\u0000${credentials.username}\u0000${credentials.password}`, 'utf8');
    const answer = await this.request(36, { authBytes: token });
    if (answer.errorCode !== 0) {
      this.close();
      throw new AuthenticationError(`${this.address} refused SASL/PLAIN login of '${credentials.username}': ${answer.errorMessage ?? `error ${answer.errorCode}`}`);
    }
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** The version a request to `apiKey` uses: the highest both this client and the broker speak. */
  versionFor(apiKey: RequestApiKey): number {
    const ours = apiDeclarations(apiKey);
    const theirs = this.brokerVersions.get(apiKey);
    if (!ours || !theirs) throw new ConnectionError(`broker ${this.address} does not support API ${apiKey}`);
    const version = Math.min(ours.maxVersion, theirs.max);
    if (version < Math.max(ours.minVersion, theirs.min)) throw new ConnectionError(`no common version of API ${apiKey} with ${this.address}`);
    return version;
  }

  /** Sends at the negotiated version. */
  request<K extends RequestApiKey>(apiKey: K, body: Encodable<RequestBodyByApiKey[K]>): Promise<ResponseBodyByApiKey[K]> {
    return this.send(apiKey, this.versionFor(apiKey), body);
  }

  /** Sends and forgets (Produce with acks=0 gets no response). */
  async sendWithoutResponse<K extends RequestApiKey>(apiKey: K, body: Encodable<RequestBodyByApiKey[K]>): Promise<void> {
    this.write(this.requireSocket(), encodeRequestPieces(apiKey, this.versionFor(apiKey), this.nextCorrelationId++, this.options.clientId, body));
  }

  async send<K extends RequestApiKey>(apiKey: K, apiVersion: number, body: Encodable<RequestBodyByApiKey[K]>): Promise<ResponseBodyByApiKey[K]> {
    while (this.inFlight.size >= this.options.maxInFlight) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    const socket = this.requireSocket();
    const correlationId = this.nextCorrelationId++;
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(correlationId);
        reject(new RequestTimeoutError(`request ${apiKey} v${apiVersion} to ${this.address} timed out after ${this.options.requestTimeoutMs} ms`));
        this.releaseSlot();
      }, this.options.requestTimeoutMs);
      this.inFlight.set(correlationId, { apiKey, apiVersion, resolve, reject, timer });
      this.write(socket, encodeRequestPieces(apiKey, apiVersion, correlationId, this.options.clientId, body));
    });
    return decodeResponse(apiKey, apiVersion, frame).body;
  }

  /** A frame's pieces leave in one writev (corked), so the record batches in it are not copied. */
  private write(socket: net.Socket, pieces: Buffer[]): void {
    if (pieces.length === 1) {
      socket.write(pieces[0]);
      return;
    }
    socket.cork();
    for (const piece of pieces) socket.write(piece);
    socket.uncork();
  }

  close(): void {
    this.fail(new ConnectionError(`connection to ${this.address} closed by the client`));
  }

  private requireSocket(): net.Socket {
    if (this.closedError) throw this.closedError;
    if (!this.socket) throw new ConnectionError(`not connected to ${this.address}`);
    return this.socket;
  }

  private onFrame(frame: Buffer): void {
    const correlationId = peekCorrelationId(frame);
    const pending = this.inFlight.get(correlationId);
    if (!pending) return; // a response to a request that already timed out
    this.inFlight.delete(correlationId);
    clearTimeout(pending.timer);
    pending.resolve(frame);
    this.releaseSlot();
  }

  private releaseSlot(): void {
    this.waitingForSlot.shift()?.();
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    this.socket?.destroy();
    for (const pending of this.inFlight.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.inFlight.clear();
    for (const wake of this.waitingForSlot.splice(0)) wake();
  }
}
