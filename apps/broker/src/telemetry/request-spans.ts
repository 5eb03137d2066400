import { Context, Link, ROOT_CONTEXT, Span, SpanContext, SpanKind, Tracer, trace } from '@opentelemetry/api';
import { TRACEPARENT, spanContextOf } from '@tributary/platform';
import { firstRecordHeaderValues } from '@tributary/protocol';

/** Partitions whose first batch is read for trace context, per request (bounds the work per request). */
const MAX_TRACED_PARTITIONS = 16;

export interface TracedPartition {
  topic: string;
  records: Buffer;
}

/**
 * A span for one Produce or Fetch request, tied to the traces its records carry. The broker
 * reads the `traceparent` header of the first record of each partition's first batch (at most
 * MAX_TRACED_PARTITIONS per request, never every record): a produce span continues the first trace it finds as its parent
 * and links the others; a fetch span, which belongs to the consumer's poll rather than to any
 * producer, links them all. Called only when tracing is on.
 */
export function startRequestSpan(tracer: Tracer, api: 'Produce' | 'Fetch', partitions: readonly TracedPartition[], startTimeMs: number): Span {
  const carried = traceContextsOf(partitions);
  const parent: Context = api === 'Produce' && carried.length > 0 ? trace.setSpanContext(ROOT_CONTEXT, carried[0]) : ROOT_CONTEXT;
  const links: Link[] = (api === 'Produce' ? carried.slice(1) : carried).map((context) => ({ context }));
  const topics = [...new Set(partitions.map((p) => p.topic))];
  return tracer.startSpan(
    topics.length === 1 ? `${api} ${topics[0]}` : api,
    {
      kind: SpanKind.SERVER,
      startTime: startTimeMs,
      links,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.name': api.toLowerCase(), 'messaging.destination.name': topics.join(','), 'tributary.partitions': partitions.length },
    },
    parent,
  );
}

function traceContextsOf(partitions: readonly TracedPartition[]): SpanContext[] {
  const found: SpanContext[] = [];
  const seen = new Set<string>();
  for (const partition of partitions.slice(0, MAX_TRACED_PARTITIONS)) {
    for (const value of firstRecordHeaderValues(partition.records, TRACEPARENT, 1)) {
      const context = spanContextOf(value);
      if (context && !seen.has(context.spanId)) {
        seen.add(context.spanId);
        found.push(context);
      }
    }
  }
  return found;
}
