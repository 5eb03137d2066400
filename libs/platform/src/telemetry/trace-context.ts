import { Context, ROOT_CONTEXT, SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) as Tributary carries it: the
 * `traceparent` HTTP header and the `traceparent` record header, with the same text.
 */
export const TRACEPARENT = 'traceparent';

/** The span context a traceparent names, or null for text that is not valid trace context. */
export function spanContextOf(traceparent: string | Buffer | null | undefined): SpanContext | null {
  if (traceparent === null || traceparent === undefined) return null;
  const text = typeof traceparent === 'string' ? traceparent : traceparent.toString('latin1');
  const parsed = parseTraceParent(text.trim());
  return parsed ? { ...parsed, isRemote: true } : null;
}

/** The traceparent text of a span context (version 00). */
export function traceparentOf(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** A context whose parent span is `traceparent` (the root context when there is none). */
export function contextOf(traceparent: string | Buffer | null | undefined): Context {
  const spanContext = spanContextOf(traceparent);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}
