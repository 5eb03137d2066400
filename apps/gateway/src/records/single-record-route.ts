import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { Telemetry } from '@tributary/platform';
import { requirePrincipal } from '../auth/api-auth.guard';
import { Credentials } from '../auth/credentials';
import { GATEWAY_CONFIG } from '../cluster/kafka.service';
import { GatewayConfig } from '../config';
import { errorBodyOf } from '../http/error-mapping';
import { GatewayMetrics } from '../telemetry/gateway-metrics';
import { observeHttpRequest, requestTraceparent } from '../telemetry/http-telemetry';
import { TopicProduce } from './topic-produce';

/** The records route's template, as the Nest route names it in metrics and spans. */
export const RECORDS_ROUTE = '/v3/clusters/:cluster_id/topics/:topic_name/records';
const RECORDS_PATH = /^\/v3\/clusters\/([^/]+)\/topics\/([^/]+)\/records$/;
const JSON_UTF8 = /^application\/json\s*(;\s*charset\s*=\s*("?)utf-8\2\s*)?$/i;
const DECIMAL = /^\d{1,15}$/;
const BYTE_ORDER_MARK = '\ufeff';

export interface SingleRecordTarget {
  clusterId: string;
  topicName: string;
  /** The URL's path, without its query. */
  path: string;
}

/**
 * Which requests the direct route answers: a POST of one JSON record (application/json in UTF-8,
 * not compressed, not chunked, a Content-Length from 1 to `maxBodyBytes`) to exactly
 * /v3/clusters/{id}/topics/{name}/records. Anything else (a stream, another media type or charset,
 * a body over the limit, an odd path) is null and goes through express and Nest as before, whose
 * answers (415, 413, ...) stay the reference.
 */
export function singleRecordTarget(request: Pick<IncomingMessage, 'method' | 'url' | 'headers'>, maxBodyBytes: number): SingleRecordTarget | null {
  const { headers } = request;
  if (request.method !== 'POST' || headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return null;
  const length = headers['content-length'];
  if (length === undefined || !DECIMAL.test(length) || Number(length) === 0 || Number(length) > maxBodyBytes) return null;
  if (headers['content-type'] === undefined || !JSON_UTF8.test(headers['content-type'])) return null;
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const match = RECORDS_PATH.exec(path);
  if (!match) return null;
  try {
    return { clusterId: decodeURIComponent(match[1]), topicName: decodeURIComponent(match[2]), path };
  } catch {
    return null; // a malformed escape: express answers it
  }
}

/**
 * A single-record produce answered straight from the HTTP server, ahead of express and Nest: the
 * same checks and answers as the Nest route (telemetry, 400 for bad JSON, 401, 404 cluster, 403,
 * 404 topic, 400 naming the field, 422, `{"error_code", "message"}`), at about a quarter of the
 * CPU. A POST per record is how many clients produce, and express's and Nest's per-request work
 * (routing through every route, middleware, guards, pipes, interceptors) was 3/4 of its cost.
 */
@Injectable()
export class SingleRecordRoute {
  private readonly logger = new Logger('Gateway');

  constructor(
    private readonly credentials: Credentials,
    private readonly topics: TopicProduce,
    private readonly metrics: GatewayMetrics,
    private readonly telemetry: Telemetry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Answers `request` when it is a single-record produce; false leaves it to express. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const target = singleRecordTarget(request, this.config.maxBodyBytes);
    if (!target) return false;
    observeHttpRequest(this.metrics, this.telemetry.tracer, request, response, target.path, () => RECORDS_ROUTE);
    // the body is at most maxBodyBytes: Node's parser stops at the Content-Length checked above
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      this.answer(request, response, target, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).catch((error: unknown) => {
        // answer() answers every error itself; this is a failure to write that answer: drop the connection, not the gateway
        this.logger.error({ msg: 'answering a produce failed', error: error instanceof Error ? error.stack : String(error) });
        response.destroy();
      });
    });
    // a client that goes away mid-body never gets to 'end': its request is dropped with its socket
    return true;
  }

  private async answer(request: IncomingMessage, response: ServerResponse, target: SingleRecordTarget, body: Buffer): Promise<void> {
    try {
      const json = parseJson(body.toString('utf8'));
      const principal = requirePrincipal(this.credentials, request.headers, response);
      const send = await this.topics.recordSender(target.clusterId, target.topicName, principal, requestTraceparent(request));
      writeJson(response, 200, await send(json));
    } catch (error) {
      const { expected, ...answer } = errorBodyOf(error);
      if (!expected) this.logger.error({ msg: 'request failed', error: error instanceof Error ? error.stack : String(error) });
      writeJson(response, answer.error_code, answer);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text) as unknown;
  } catch (error) {
    throw new BadRequestException(`body: not valid JSON (${(error as Error).message})`);
  }
}

function writeJson(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}
