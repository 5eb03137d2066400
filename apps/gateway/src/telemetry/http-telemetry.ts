import { Span, SpanKind, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { contextOf, spanContextOf, traceparentOf } from '@tributary/platform';
import type { NextFunction, Request, Response } from 'express';
import { GatewayMetrics } from './gateway-metrics';

/** Where the request's span waits for its handler (express's per-response locals). */
interface TracedLocals {
  tributarySpan?: Span;
}

/**
 * Express middleware, first in line: every HTTP request is counted by its route template (the
 * matched NestJS route, `unmatched` otherwise) and status once its response ends and, when
 * tracing is on, runs in a server span that continues the caller's `traceparent` header.
 */
export function httpTelemetry(metrics: GatewayMetrics, tracer: Tracer | null) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const startedMs = performance.now();
    const span = tracer?.startSpan(`${request.method} ${request.path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, contextOf(typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined));
    if (span) (response.locals as TracedLocals).tributarySpan = span;
    response.once('finish', () => {
      const route = routeOf(request);
      metrics.httpRequest(request.method, route, response.statusCode, performance.now() - startedMs);
      if (span) {
        span.updateName(`${request.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': response.statusCode });
        if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
    next();
  };
}

/**
 * The trace context records produced by this request carry: the request's span when tracing is
 * on, else the caller's own valid `traceparent` passed through, else none.
 */
export function requestTraceparent(request: Request): string | undefined {
  const span = (request.res?.locals as TracedLocals | undefined)?.tributarySpan;
  if (span) return traceparentOf(span.spanContext());
  const incoming = request.headers.traceparent;
  return typeof incoming === 'string' && spanContextOf(incoming) ? incoming.trim() : undefined;
}

function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
}
