import { Logger } from '@nestjs/common';
import { RawData, WebSocket } from 'ws';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TRACEPARENT, contextOf, traceparentOf } from '@tributary/platform';
import { KafkaService } from '../cluster/kafka.service';
import { errorFrame, errorFrameOf } from './error-frames';
import { producerRecordOf } from './record-codec';
import { DirectSubscription } from './direct-subscription';
import { FanoutHub } from './fanout/fanout-hub';
import { GroupSubscription } from './group-subscription';
import { Subscription, SubscriptionOutput, WsTelemetry } from './subscription';
import { WS_LIMITS } from './ws-limits';
import { ClientFrame, ProduceFrame, ServerFrame, SubscribeFrame, parseClientFrame } from './ws-protocol';

/** Close codes of RFC 6455 the session uses. */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_INVALID_PAYLOAD = 1007;
const MAX_CLOSE_REASON_BYTES = 123;

/** What the socket's principal may do (the gateway's topic ACL). */
export interface SessionAccess {
  name: string;
  mayRead(topic: string): boolean;
  mayWrite(topic: string): boolean;
}

/**
 * One WebSocket connection: dispatches the client's frames to its subscriptions and to the
 * shared producer, and writes server frames with back-pressure (deliveries wait while the socket
 * has maxSocketBufferedBytes unsent; reading stops while maxProducesInFlightPerSocket produces wait).
 */
export class WsSession {
  private readonly subscriptions = new Map<string, Subscription>();
  private producesInFlight = 0;
  private readingPaused = false;
  private closed = false;
  /** Set by the server's ping round; a socket that missed a whole round is dead. */
  alive = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly kafka: KafkaService,
    private readonly hub: FanoutHub,
    private readonly logger: Logger,
    private readonly access: SessionAccess,
    private readonly telemetry: WsTelemetry | null = null,
  ) {
    socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => void this.close());
    socket.on('error', () => void this.close());
  }

  /** Releases every subscription (pending acks are committed first) and closes the socket if it is open. */
  async close(code?: number, reason?: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    await Promise.all(subscriptions.map((s) => s.close().catch((error: unknown) => this.logger.warn({ msg: 'closing a subscription failed', id: s.id, error: String(error) }))));
  }

  ping(): void {
    this.alive = false;
    this.socket.ping();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.closeMalformed(CLOSE_UNSUPPORTED_DATA, 'binary frames are not part of the protocol; frames are JSON text');
      return;
    }
    const parsed = parseClientFrame(textOf(data));
    if ('malformed' in parsed) {
      this.closeMalformed(CLOSE_INVALID_PAYLOAD, parsed.malformed);
      return;
    }
    if ('error' in parsed) {
      this.send(parsed.error);
      return;
    }
    this.dispatch(parsed.frame);
  }

  private dispatch(frame: ClientFrame): void {
    switch (frame.type) {
      case 'subscribe':
        void this.subscribe(frame);
        return;
      case 'produce':
        void this.produce(frame);
        return;
      case 'unsubscribe': {
        const subscription = this.subscriptionOf(frame.id);
        if (!subscription) return;
        this.subscriptions.delete(frame.id);
        void subscription.close().then(() => this.send({ type: 'unsubscribed', id: frame.id }));
        return;
      }
      case 'credit': {
        const problem = this.subscriptionOf(frame.id)?.grant(frame.records);
        if (problem) this.send(problem);
        return;
      }
      case 'ack': {
        const problem = this.subscriptionOf(frame.id)?.ack(frame);
        if (problem) this.send(problem);
        return;
      }
    }
  }

  private async subscribe(frame: SubscribeFrame): Promise<void> {
    if (this.subscriptions.has(frame.id)) return this.send(errorFrame(frame.id, 409, `id: subscription ${frame.id} is already open on this socket`));
    if (this.subscriptions.size >= WS_LIMITS.maxSubscriptionsPerSocket) return this.send(errorFrame(frame.id, 429, `at most ${WS_LIMITS.maxSubscriptionsPerSocket} subscriptions per socket`));
    const forbidden = [...(frame.topics ?? []), ...(frame.partitions ?? []).map((p) => p.topic)].find((topic) => !this.access.mayRead(topic));
    if (forbidden !== undefined) return this.send(errorFrame(frame.id, 403, `${this.access.name} may not read topic ${forbidden}`));
    const output: SubscriptionOutput = {
      send: (f) => this.send(f),
      sendText: (text) => this.sendText(text),
      sendParts: (parts) => this.sendParts(parts),
      writable: () => this.socket.bufferedAmount < WS_LIMITS.maxSocketBufferedBytes,
      ended: (id, reason) => void this.endSubscription(id, subscription).then((ended) => ended && this.send({ type: 'unsubscribed', id, reason })),
    };
    const subscription: Subscription =
      frame.group !== undefined ? new GroupSubscription(frame, frame.group, this.kafka, output, this.telemetry) : new DirectSubscription(frame, this.kafka, this.hub, output, this.telemetry);
    // registered before it starts, so credit granted meanwhile counts
    this.subscriptions.set(frame.id, subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.send(errorFrameOf(frame.id, error));
      await this.endSubscription(frame.id, subscription);
    }
  }

  /** Closes `subscription` unless it was closed already (unsubscribed, socket closed); true when this call did. */
  private async endSubscription(id: string, subscription: Subscription): Promise<boolean> {
    if (this.subscriptions.get(id) !== subscription) return false;
    this.subscriptions.delete(id);
    await subscription.close();
    return true;
  }

  private async produce(frame: ProduceFrame): Promise<void> {
    if (++this.producesInFlight >= WS_LIMITS.maxProducesInFlightPerSocket && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
    // continues the client's trace (frame.traceparent); the record then carries this span's context
    const span = this.telemetry?.tracer?.startSpan(`WS produce ${frame.topic}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.operation.name': 'send', 'messaging.destination.name': frame.topic } }, contextOf(frame.traceparent));
    let ok = false;
    try {
      if (!this.access.mayWrite(frame.topic)) return this.send(errorFrame(frame.id, 403, `${this.access.name} may not write topic ${frame.topic}`));
      const record = producerRecordOf(frame);
      if (span) {
        const headers = Array.isArray(record.headers) ? record.headers.filter((h) => h.key !== TRACEPARENT) : [];
        record.headers = [...headers, { key: TRACEPARENT, value: traceparentOf(span.spanContext()) }];
      }
      const topic = await this.kafka.cluster.topic(frame.topic);
      if (frame.partition !== undefined && frame.partition >= topic.partitions.length) {
        return this.send(errorFrame(frame.id, 422, `partition: topic ${frame.topic} has no partition ${frame.partition} (it has ${topic.partitions.length})`));
      }
      const [written] = await this.kafka.producer.send(frame.topic, record);
      this.send({ type: 'produced', id: frame.id, topic: written.topic, partition: written.partition, offset: written.offset, timestamp: new Date(written.timestamp).toISOString() });
      ok = true;
    } catch (error) {
      this.send(errorFrameOf(frame.id, error));
    } finally {
      this.telemetry?.metrics.wsProduce(ok);
      if (span) {
        if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      if (--this.producesInFlight <= WS_LIMITS.maxProducesInFlightPerSocket / 2 && this.readingPaused) {
        this.readingPaused = false;
        this.socket.resume();
      }
    }
  }

  /** The open subscription `id`, or undefined after answering 404. */
  private subscriptionOf(id: string): Subscription | undefined {
    const subscription = this.subscriptions.get(id);
    if (!subscription) this.send(errorFrame(id, 404, `id: no open subscription ${id} on this socket`));
    return subscription;
  }

  private closeMalformed(code: number, problem: string): void {
    this.send(errorFrame(undefined, 400, `malformed frame, closing: ${problem}`));
    // a close reason is at most 123 bytes: printable ASCII keeps the cut clean
    void this.close(code, problem.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_CLOSE_REASON_BYTES));
  }

  private send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // each flushed frame may have brought the socket under its bound: deliveries waiting for that go on
    this.socket.send(text, () => this.onFlushed());
  }

  /** One text frame sent as fragments, so a body shared by many sockets is written, not copied into each frame. */
  private sendParts(parts: readonly Buffer[]): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const last = parts.length - 1;
    // synchronous: no other frame can slip between the fragments of this one
    for (let i = 0; i < last; i++) this.socket.send(parts[i], { binary: false, fin: false });
    this.socket.send(parts[last], { binary: false, fin: true }, () => this.onFlushed());
  }

  private onFlushed(): void {
    if (this.closed || this.socket.bufferedAmount >= WS_LIMITS.maxSocketBufferedBytes) return;
    for (const subscription of this.subscriptions.values()) subscription.pump();
  }
}

/** ws hands text frames over as a Buffer (its default binaryType, 'nodebuffer'). */
function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
