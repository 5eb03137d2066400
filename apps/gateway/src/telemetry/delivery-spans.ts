import { Link, ROOT_CONTEXT, Span, SpanContext, SpanKind, SpanStatusCode, Tracer, trace } from '@opentelemetry/api';
import { TRACEPARENT, spanContextOf } from '@tributary/platform';
import type { ConsumedRecord } from '@tributary/protocol';

/** Distinct producer traces linked from one delivery span at most. */
const MAX_LINKS = 16;

/**
 * Spans of one WebSocket subscription's deliveries: one per consumed batch (or per frame of a
 * shared feed), from its arrival at the gateway until its last record went out on the socket. A batch's span continues the trace of
 * its first record that carries a `traceparent` header (so gateway produce -> broker -> delivery
 * is one trace) and links the other traces in the batch. Deliveries leave in arrival order, so
 * the open spans form a queue ended from the front.
 */
export class DeliverySpans {
  private readonly open: { span: Span; remaining: number }[] = [];

  constructor(
    private readonly tracer: Tracer,
    private readonly subscriptionId: string,
  ) {}

  received(topic: string, partition: number, records: readonly ConsumedRecord[]): void {
    if (records.length === 0) return;
    this.open.push({ span: this.start(topic, partition, records), remaining: records.length });
  }

  /** `records`, which arrived at the gateway at `receivedAt` (epoch ms), went out now: one span for that. */
  delivered(topic: string, partition: number, records: readonly ConsumedRecord[], receivedAt: number): void {
    if (records.length > 0) this.start(topic, partition, records, receivedAt).end();
  }

  private start(topic: string, partition: number, records: readonly ConsumedRecord[], startTime?: number): Span {
    const carried = traceContextsOf(records);
    return this.tracer.startSpan(
      `deliver ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        links: carried.slice(1).map((context): Link => ({ context })),
        attributes: { 'messaging.system': 'kafka', 'messaging.operation.name': 'deliver', 'messaging.destination.name': topic, 'messaging.destination.partition.id': String(partition), 'messaging.batch.message_count': records.length, 'tributary.ws.subscription': this.subscriptionId },
        ...(startTime !== undefined ? { startTime } : {}),
      },
      carried.length > 0 ? trace.setSpanContext(ROOT_CONTEXT, carried[0]) : ROOT_CONTEXT,
    );
  }

  /** `count` more deliveries went out, oldest first. */
  sent(count: number): void {
    let left = count;
    while (left > 0 && this.open.length > 0) {
      const head = this.open[0];
      const taken = Math.min(left, head.remaining);
      head.remaining -= taken;
      left -= taken;
      if (head.remaining === 0) {
        head.span.end();
        this.open.shift();
      }
    }
  }

  /** The subscription closed with deliveries still waiting. */
  abandon(): void {
    for (const { span, remaining } of this.open.splice(0)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${remaining} records not delivered: the subscription closed` });
      span.end();
    }
  }
}

function traceContextsOf(records: readonly ConsumedRecord[]): SpanContext[] {
  const found: SpanContext[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    for (const header of record.headers) {
      if (header.key !== TRACEPARENT) continue;
      const context = spanContextOf(header.value);
      if (context && !seen.has(context.spanId)) {
        seen.add(context.spanId);
        found.push(context);
      }
      break;
    }
    if (found.length > MAX_LINKS) break;
  }
  return found;
}
