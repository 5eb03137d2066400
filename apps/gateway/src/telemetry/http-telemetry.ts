import type { IncomingMessage, ServerResponse } from 'node:http';
import { Span, SpanKind, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { contextOf, spanContextOf, traceparentOf } from '@tributary/platform';
import type { NextFunction, Request, Response } from 'express';
import { GatewayMetrics } from './gateway-metrics';

/** Each request's server span, while it is open (requests answered ahead of express have no locals to keep it in). */
const requestSpans = new WeakMap<IncomingMessage, Span>();

/**
 * Counts one HTTP request by its route template (`route`, read once the response ends) and status
 * and, when tracing is on, runs it in a server span that continues the caller's `traceparent`
 * header. Every request goes through here, whichever way it is answered.
 */
export function observeHttpRequest(metrics: GatewayMetrics, tracer: Tracer | null, request: IncomingMessage, response: ServerResponse, path: string, route: () => string): void {
  const startedMs = performance.now();
  const method = request.method ?? 'GET';
  const span = tracer?.startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, contextOf(typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined));
  if (span) requestSpans.set(request, span);
  response.once('finish', () => {
    const template = route();
    metrics.httpRequest(method, template, response.statusCode, performance.now() - startedMs);
    if (span) {
      span.updateName(`${method} ${template}`);
      span.setAttributes({ 'http.route': template, 'http.response.status_code': response.statusCode });
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      requestSpans.delete(request);
    }
  });
}

/**
 * Express middleware, first in line: observeHttpRequest with the matched NestJS route as the
 * template (`unmatched` otherwise).
 */
export function httpTelemetry(metrics: GatewayMetrics, tracer: Tracer | null) {
  return (request: Request, response: Response, next: NextFunction): void => {
    observeHttpRequest(metrics, tracer, request, response, request.path, () => routeOf(request));
    next();
  };
}

/**
 * The trace context records produced by this request carry: the request's span when tracing is
 * on, else the caller's own valid `traceparent` passed through, else none.
 */
export function requestTraceparent(request: IncomingMessage): string | undefined {
  const span = requestSpans.get(request);
  if (span) return traceparentOf(span.spanContext());
  const incoming = request.headers.traceparent;
  return typeof incoming === 'string' && spanContextOf(incoming) ? incoming.trim() : undefined;
}

function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
}
