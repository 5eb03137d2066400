/**
 * A subscription to the gateway's WebSocket endpoint (/v1/ws, docs/websocket.md) for browsers
 * and Node: records by async iteration or a callback, credit granted back as records are
 * processed (so at most `credit` records are ever held here), acks, and reconnection with backoff
 * that resumes where the acks left off (the group's commits, or the acked positions of direct
 * partitions), skipping records it already handed over. At-least-once: a record processed but not
 * acked when the connection drops may come again.
 */

export type GatewayDataFormat = 'string' | 'json' | 'binary';
export type GatewayStartPosition = 'earliest' | 'latest' | { offset: number } | { timestamp: number | string };

export interface GatewayRecord {
  topic: string;
  partition: number;
  offset: number;
  /** RFC 3339 */
  timestamp: string | null;
  key: unknown;
  value: unknown;
  headers: { name: string; value: string | null; format?: 'binary' }[];
  /** The record's W3C trace context, when it carries one. */
  traceparent?: string;
  key_format?: 'binary';
  value_format?: 'binary';
}

export interface GatewaySubscriptionOptions {
  /** ws://host:8080/v1/ws */
  url: string;
  /** With `group`: the group's topics. Without: every partition of them. */
  topics?: string[];
  /** Direct partitions; `offset` is the first to deliver. */
  partitions?: { topic: string; partition: number; offset?: number }[];
  group?: string;
  /** Where to start (a group: only without committed offsets). Default latest. */
  from?: GatewayStartPosition;
  keyFormat?: GatewayDataFormat;
  valueFormat?: GatewayDataFormat;
  headerFormat?: 'string' | 'binary';
  /** Records granted at a time: the most this helper holds unprocessed. Default 500. */
  credit?: number;
  /** Sent as the `token` query parameter (an API key or bearer token; browsers cannot set headers). */
  token?: string;
  /** Upgrade request headers (X-API-Key, Authorization); these need the `ws` package (Node). */
  headers?: Record<string, string>;
  /** Ack each record once its callback or loop body finished. Default true. */
  autoAck?: boolean;
  /** Reconnection backoff: doubling from initialDelayMs up to maxDelayMs, at most maxAttempts failures in a row. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
  /** A WebSocket class; default the global one, else the `ws` package. */
  WebSocket?: WebSocketClass;
  /** Non-fatal problems (a commit that failed, a dropped connection about to be retried). */
  onError?: (error: Error) => void;
}

/** The part of the WHATWG WebSocket that browsers, Node 22 and the `ws` package share. */
interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
type WebSocketClass = new (url: string, options?: { headers?: Record<string, string> }) => SocketLike;

/** The gateway refused the subscription itself (bad request, unknown topic, forbidden): retrying would not help. */
export class GatewaySubscriptionError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'GatewaySubscriptionError';
  }
}

const OPEN = 1;
const SUBSCRIPTION_ID = 'subscription';
const ACK_FLUSH_DELAY_MS = 20;
/** error codes after which a new attempt can succeed */
const TRANSIENT_CODES = new Set([429, 500, 503]);

export class GatewaySubscription implements AsyncIterable<GatewayRecord> {
  private readonly credit: number;
  private readonly autoAck: boolean;
  private readonly backoff: { initialDelayMs: number; maxDelayMs: number; maxAttempts: number };
  private socket: SocketLike | null = null;
  /** Received, not yet handed over; never more than `credit`. */
  private queue: GatewayRecord[] = [];
  /** Records finished (or skipped) since credit was last granted. */
  private doneSinceGrant = 0;
  /** Per partition: the next offset the application has not been handed (older ones are duplicates). */
  private readonly handedUpTo = new Map<string, number>();
  /** Direct partitions: the first offset to ask for after a reconnect. */
  private readonly resumeFrom = new Map<string, { topic: string; partition: number; offset: number }>();
  /** Group acks not yet sent. */
  private readonly pendingAcks = new Map<string, { topic: string; partition: number; offset: number }>();
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private subscribedOnce = false;
  private starting: Promise<void> | null = null;
  private startSettle: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private failedAttempts = 0;
  private failure: Error | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  /** The record handed by the iterator, acked when the loop asks for the next one. */
  private inHand: GatewayRecord | null = null;
  private mode: 'iterator' | 'callback' | null = null;

  constructor(private readonly options: GatewaySubscriptionOptions) {
    if (!options.topics && !options.partitions) throw new RangeError('a subscription needs topics or partitions');
    this.credit = options.credit ?? 500;
    if (!Number.isInteger(this.credit) || this.credit < 1) throw new RangeError('credit is a positive integer');
    this.autoAck = options.autoAck ?? true;
    this.backoff = { initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 20, ...options.reconnect };
  }

  /** Connects and subscribes; resolves once the gateway confirmed, rejects when it refused. */
  start(): Promise<void> {
    this.starting ??= new Promise<void>((resolve, reject) => {
      this.startSettle = { resolve, reject };
      void this.connect();
    });
    return this.starting;
  }

  /** Callback mode: `handler` gets each record in order; the next comes once its promise settled. */
  onRecord(handler: (record: GatewayRecord) => Promise<void> | void): Promise<void> {
    this.claimMode('callback');
    return (async () => {
      await this.start();
      for (;;) {
        const record = await this.take();
        if (!record) return;
        await handler(record);
        this.finish(record);
      }
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<GatewayRecord> {
    this.claimMode('iterator');
    return {
      next: async () => {
        if (this.inHand) this.finish(this.inHand);
        this.inHand = null;
        await this.start();
        const record = await this.take();
        if (!record) return { done: true, value: undefined };
        this.inHand = record;
        return { done: false, value: record };
      },
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** Marks `record` (and every earlier one of its partition) processed. Needed only with autoAck off. */
  ack(record: Pick<GatewayRecord, 'topic' | 'partition' | 'offset'>): void {
    const key = partitionKey(record.topic, record.partition);
    if (this.options.group === undefined) {
      const previous = this.resumeFrom.get(key);
      if (!previous || previous.offset <= record.offset) this.resumeFrom.set(key, { topic: record.topic, partition: record.partition, offset: record.offset + 1 });
      return;
    }
    const previous = this.pendingAcks.get(key);
    if (!previous || previous.offset < record.offset) this.pendingAcks.set(key, { topic: record.topic, partition: record.partition, offset: record.offset });
    this.ackTimer ??= setTimeout(() => this.flushAcks(), ACK_FLUSH_DELAY_MS);
  }

  /** Sends pending acks, unsubscribes and closes the socket; iteration ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushAcks();
    this.closed = true;
    const socket = this.socket;
    if (socket && socket.readyState === OPEN) {
      socket.send(JSON.stringify({ type: 'unsubscribe', id: SUBSCRIPTION_ID }));
      socket.close(1000, 'closed by the client');
    }
    this.startSettle?.reject(new Error('the subscription was closed'));
    this.wake?.();
  }

  private claimMode(mode: 'iterator' | 'callback'): void {
    if (this.mode && this.mode !== mode) throw new Error('use either async iteration or onRecord(), not both');
    this.mode = mode;
  }

  /** The next record to hand over, waiting for one; null once closed. Throws after a fatal failure. */
  private async take(): Promise<GatewayRecord | null> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.closed) return null;
      const record = this.queue.shift();
      if (record) {
        this.handedUpTo.set(partitionKey(record.topic, record.partition), record.offset + 1);
        return record;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private finish(record: GatewayRecord): void {
    if (this.autoAck) this.ack(record);
    this.done(1);
  }

  /** Grants back the credit of finished records, in steps of half the window to keep frames few. */
  private done(records: number): void {
    this.doneSinceGrant += records;
    if (this.doneSinceGrant < Math.ceil(this.credit / 2) || this.socket?.readyState !== OPEN) return;
    this.socket.send(JSON.stringify({ type: 'credit', id: SUBSCRIPTION_ID, records: this.doneSinceGrant }));
    this.doneSinceGrant = 0;
  }

  private flushAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.pendingAcks.size === 0 || this.socket?.readyState !== OPEN || !this.subscribedOnce) return;
    this.socket.send(JSON.stringify({ type: 'ack', id: SUBSCRIPTION_ID, offsets: [...this.pendingAcks.values()] }));
    this.pendingAcks.clear();
  }

  private async connect(): Promise<void> {
    let WebSocketImpl: WebSocketClass;
    try {
      WebSocketImpl = this.options.WebSocket ?? (await defaultWebSocket(this.options.headers !== undefined));
    } catch (error) {
      return this.fail(error as Error);
    }
    if (this.closed) return;
    const url = new URL(this.options.url);
    if (this.options.token !== undefined) url.searchParams.set('token', this.options.token);
    const socket = this.options.headers ? new WebSocketImpl(url.toString(), { headers: this.options.headers }) : new WebSocketImpl(url.toString());
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify(this.subscribeFrame()));
    socket.onmessage = (event) => this.onFrame(String(event.data));
    socket.onerror = () => undefined; // the close event that follows decides
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed || this.failure) return;
      // unprocessed records come again after the resume; the credit window starts afresh
      this.queue = [];
      this.doneSinceGrant = 0;
      this.options.onError?.(new Error(`connection closed (${event.code}${event.reason ? `: ${event.reason}` : ''}); reconnecting`));
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (++this.failedAttempts > this.backoff.maxAttempts) return this.fail(new Error(`gave up after ${this.backoff.maxAttempts} reconnection attempts`));
    const ceiling = Math.min(this.backoff.maxDelayMs, this.backoff.initialDelayMs * 2 ** (this.failedAttempts - 1));
    // jitter, so that many clients of a restarted gateway do not come back in one wave
    setTimeout(() => void this.connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }

  /** The subscribe frame; after a reconnect, direct partitions resume from their acked positions. */
  private subscribeFrame(): Record<string, unknown> {
    const o = this.options;
    const frame: Record<string, unknown> = { type: 'subscribe', id: SUBSCRIPTION_ID, credit: this.credit };
    if (o.group !== undefined) Object.assign(frame, { group: o.group, topics: o.topics });
    else if (this.subscribedOnce) frame.partitions = [...this.resumeFrom.values()];
    else Object.assign(frame, o.topics ? { topics: o.topics } : {}, o.partitions ? { partitions: o.partitions } : {});
    if (o.from !== undefined) frame.from = o.from;
    if (o.keyFormat) frame.key_format = o.keyFormat;
    if (o.valueFormat) frame.value_format = o.valueFormat;
    if (o.headerFormat) frame.header_format = o.headerFormat;
    return frame;
  }

  private onFrame(text: string): void {
    let frame: { type?: string; id?: string; error_code?: number; message?: string; records?: GatewayRecord[]; partitions?: { topic: string; partition: number; offset: number }[] };
    try {
      frame = JSON.parse(text);
    } catch {
      return this.options.onError?.(new Error('the gateway sent a frame that is not JSON'));
    }
    switch (frame.type) {
      case 'subscribed':
        if (this.options.group === undefined) {
          for (const p of frame.partitions ?? []) {
            const key = partitionKey(p.topic, p.partition);
            if (!this.subscribedOnce || !this.resumeFrom.has(key)) this.resumeFrom.set(key, p);
          }
        }
        this.subscribedOnce = true;
        this.failedAttempts = 0;
        this.flushAcks();
        this.startSettle?.resolve();
        this.startSettle = null;
        return;
      case 'records':
        return this.onRecords(frame.records ?? []);
      case 'unsubscribed':
        // the gateway ended it (its consumer failed): the same as a dropped connection
        this.socket?.close(1000, 'resubscribing');
        return;
      case 'error': {
        const error = new GatewaySubscriptionError(frame.error_code ?? 500, frame.message ?? 'unknown error');
        if (frame.id === SUBSCRIPTION_ID && !this.subscribedOnce && !TRANSIENT_CODES.has(error.errorCode)) return this.fail(error);
        return this.options.onError?.(error);
      }
    }
  }

  private onRecords(records: GatewayRecord[]): void {
    let duplicates = 0;
    for (const record of records) {
      const handed = this.handedUpTo.get(partitionKey(record.topic, record.partition)) ?? -1;
      if (record.offset < handed) duplicates++;
      else this.queue.push(record);
    }
    if (duplicates > 0) this.done(duplicates);
    this.wake?.();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.startSettle?.reject(error);
    this.startSettle = null;
    this.socket?.close(1000, 'failed');
    this.wake?.();
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The global WebSocket (browsers, Node 22+), else the `ws` package; `ws` always when upgrade headers are wanted. */
async function defaultWebSocket(needsHeaders: boolean): Promise<WebSocketClass> {
  const global = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (global && !needsHeaders) return global;
  const ws = (await import('ws')) as unknown as { WebSocket: WebSocketClass };
  return ws.WebSocket;
}
