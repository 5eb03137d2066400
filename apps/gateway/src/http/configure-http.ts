import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { ZodSerializerInterceptor, ZodValidationPipe } from 'nestjs-zod';
import { Telemetry } from '@tributary/platform';
import { GatewayConfig } from '../config';
import { serveOpenApi } from '../openapi/openapi-document';
import { isNdjsonProduceStream, isProduceStream } from '../records/produce-stream';
import { SingleRecordRoute } from '../records/single-record-route';
import { GatewayMetrics } from '../telemetry/gateway-metrics';
import { httpTelemetry } from '../telemetry/http-telemetry';
import { ApiExceptionFilter } from './api-exception.filter';

/** A request with a body that is not JSON (or NDJSON, for a produce stream) is answered 415 before any handler runs. */
function requireJsonBodies(request: Request, response: Response, next: NextFunction): void {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (hasBody && !request.is('application/json') && !isNdjsonProduceStream(request)) {
    const accepted = isProduceStream(request) ? 'application/json or application/x-ndjson' : 'application/json';
    response.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).json({ error_code: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: `the body must be ${accepted}, not ${request.headers['content-type'] ?? 'untyped'}` });
    return;
  }
  next();
}

/**
 * Requests `route` takes are answered straight from the HTTP server, before express sees them;
 * the others go on to express (the server's only request listener: Nest's express adapter
 * installs it when the app is created).
 */
function serveAheadOfExpress(server: Server, route: { serve(request: IncomingMessage, response: ServerResponse): boolean }): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) throw new Error(`expected express as the HTTP server's one request listener, found ${listeners.length}`);
  const [express] = listeners;
  server.removeListener('request', express);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!route.serve(request, response)) express(request, response);
  });
}

/**
 * The HTTP edge of the gateway (the app must be created with bodyParser: false): JSON bodies up
 * to maxBodyBytes (streamed produce bodies are read by their handler, record by record), zod
 * validation of inputs and outputs, `{"error_code", "message"}` errors, and the OpenAPI
 * document with its docs. Single-record produces skip all of it: SingleRecordRoute answers them
 * with the same checks at a fraction of the cost.
 */
export function configureHttp(app: NestExpressApplication, config: GatewayConfig): void {
  const server: Server = app.getHttpServer();
  // a produce stream is a request body that lasts as long as its producer: Node's default
  // requestTimeout (300 s) cut streams mid-flow; headersTimeout still bounds a request's headers
  server.requestTimeout = 0;
  serveAheadOfExpress(server, app.get(SingleRecordRoute));
  // express hashes every JSON answer (SHA-1 of the body) for a weak ETag that only a conditional GET
  // could use; nothing caches this API that way, and a batch's 200 KB answer was hashed per request
  app.set('etag', false);
  app.use(httpTelemetry(app.get(GatewayMetrics), app.get(Telemetry).tracer));
  app.use(requireJsonBodies);
  app.useBodyParser('json', { limit: config.maxBodyBytes, type: (request: Request) => request.is('application/json') !== false && !isProduceStream(request) });
  app.useGlobalPipes(new ZodValidationPipe());
  app.useGlobalInterceptors(new ZodSerializerInterceptor(app.get(Reflector)));
  app.useGlobalFilters(new ApiExceptionFilter());
  serveOpenApi(app);
}
