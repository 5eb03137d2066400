import { Tracer } from '@opentelemetry/api';
import { GatewayMetrics } from '../telemetry/gateway-metrics';
import { AckFrame, ErrorFrame, ServerFrame } from './ws-protocol';

/** Where a subscription's frames go: its socket. */
export interface SubscriptionOutput {
  send(frame: ServerFrame): void;
  /** Sends a frame already serialized (records frames are joined from pre-encoded deliveries). */
  sendText(text: string): void;
  /** Sends one text frame made of `parts` in order, without joining them (a shared body between two small parts). */
  sendParts(parts: readonly Buffer[]): void;
  /** Whether the socket takes more deliveries now (its unsent bytes are under the bound). */
  writable(): boolean;
  /** The subscription stopped on its own (its consumer or feed failed), for `reason`. */
  ended(id: string, reason: string): void;
}

/** Metrics and, when tracing is on, a tracer for a socket's deliveries and produces. */
export interface WsTelemetry {
  metrics: GatewayMetrics;
  tracer: Tracer | null;
}

/**
 * One subscription of a socket, started by a subscribe frame: records go out only within the
 * credit the client granted, and only while the socket is writable.
 */
export interface Subscription {
  readonly id: string;
  /** Resolves topics and start positions, answers `subscribed`, then starts delivering. Throws for unknown topics. */
  start(): Promise<void>;
  /** Adds `records` to the credit; an error when the outstanding credit would pass maxCredit. */
  grant(records: number): ErrorFrame | null;
  /** The client processed records up to these offsets (group subscriptions commit them). */
  ack(frame: AckFrame): ErrorFrame | null;
  /** Sends what may go now (the socket flushed, credit arrived). */
  pump(): void;
  close(): Promise<void>;
}
