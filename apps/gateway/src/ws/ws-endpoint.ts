import { IncomingMessage, Server, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocket, WebSocketServer } from 'ws';
import { Telemetry } from '@tributary/platform';
import { KafkaService } from '../cluster/kafka.service';
import { GatewayMetrics } from '../telemetry/gateway-metrics';
import { FanoutHub } from './fanout/fanout-hub';
import { WsAuthenticator } from './ws-authenticator';
import { WS_LIMITS } from './ws-limits';
import { WsSession } from './ws-session';

export const WS_PATH = '/v1/ws';
const CLOSE_GOING_AWAY = 1001;

/**
 * /v1/ws on the gateway's own HTTP server: upgrades are authenticated before the handshake (401
 * with no socket opened), then each socket is a WsSession. ws runs with noServer so the upgrade
 * path, the credentials check and the socket bound are ours, and with maxPayload so an oversized
 * frame closes its socket (1009) before it is buffered whole.
 */
@Injectable()
export class WsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: WS_LIMITS.maxFrameBytes, perMessageDeflate: false });
  private readonly sessions = new Set<WsSession>();
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly kafka: KafkaService,
    private readonly hub: FanoutHub,
    private readonly authenticator: WsAuthenticator,
    private readonly metrics: GatewayMetrics,
    private readonly telemetry: Telemetry,
  ) {
    metrics.observeWsConnections(() => this.sessions.size);
  }

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(http, request, socket, head));
    // a peer that vanished without a close frame still holds consumers: find it by its missing pong
    this.pingTimer = setInterval(() => {
      for (const session of this.sessions) {
        if (!session.alive) session.terminate();
        else session.ping();
      }
    }, WS_LIMITS.pingIntervalMs);
    this.pingTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    await Promise.all([...this.sessions].map((session) => session.close(CLOSE_GOING_AWAY, 'gateway shutting down')));
    this.server.close();
  }

  private onUpgrade(http: Server, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) {
      // another upgrade listener may own that path; alone, we answer for the server
      if (http.listenerCount('upgrade') === 1) refuse(socket, 404, `no WebSocket endpoint at ${url.pathname}; it is ${WS_PATH}`);
      return;
    }
    const access = this.authenticator.authenticate(request, url);
    if (!access) {
      refuse(socket, 401, 'credentials are required: an X-API-Key header, Authorization: Bearer <token>, or a token query parameter', { 'WWW-Authenticate': 'Bearer realm="tributary"' });
      return;
    }
    if (this.sessions.size >= WS_LIMITS.maxSockets) {
      refuse(socket, 503, `the gateway holds its maximum of ${WS_LIMITS.maxSockets} WebSocket connections`);
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const session = new WsSession(ws, this.kafka, this.hub, this.logger, access, { metrics: this.metrics, tracer: this.telemetry.tracer });
      this.sessions.add(session);
      ws.once('close', () => this.sessions.delete(session));
    });
  }
}

/** Answers an upgrade request with a plain HTTP error (the REST error body) and drops the socket. */
function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error_code: status, message });
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
