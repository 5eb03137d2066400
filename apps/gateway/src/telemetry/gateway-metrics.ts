import { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';

/** HTTP latency buckets (ms): cached answers up to long-poll reads. */
const HTTP_DURATION_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/**
 * The gateway's metrics: HTTP requests by route template and status (never by raw URL, so the
 * series stay bounded), WebSocket connections, deliveries and produces.
 */
export class GatewayMetrics {
  private readonly httpRequests: Counter;
  private readonly httpDuration: Histogram;
  private readonly wsDeliveries: Counter;
  private readonly wsRecordsSent: Counter;
  private readonly wsProduced: Counter;

  constructor(private readonly meter: Meter) {
    this.httpRequests = meter.createCounter('tributary.gateway.http.requests', { description: 'HTTP requests answered, by method, route template and status' });
    this.httpDuration = meter.createHistogram('tributary.gateway.http.duration_ms', {
      unit: 'ms',
      description: 'Time from an HTTP request to the end of its response, by method, route template and status',
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS_MS },
    });
    this.wsDeliveries = meter.createCounter('tributary.gateway.ws.deliveries', { description: 'WebSocket records frames sent to subscribers' });
    this.wsRecordsSent = meter.createCounter('tributary.gateway.ws.records.sent', { description: 'Records sent to WebSocket subscribers' });
    this.wsProduced = meter.createCounter('tributary.gateway.ws.produced', { description: 'WebSocket produce frames answered, by outcome' });
  }

  httpRequest(method: string, route: string, status: number, durationMs: number): void {
    const attributes: Attributes = { method, route, status };
    this.httpRequests.add(1, attributes);
    this.httpDuration.record(durationMs, attributes);
  }

  /** One records frame of `records` deliveries went to a socket. */
  delivered(records: number): void {
    this.wsDeliveries.add(1);
    this.wsRecordsSent.add(records);
  }

  wsProduce(ok: boolean): void {
    this.wsProduced.add(1, { outcome: ok ? 'ok' : 'error' });
  }

  /** The open WebSocket connections, read at scrape time. */
  observeWsConnections(count: () => number): void {
    this.meter.createObservableGauge('tributary.gateway.ws.connections', { description: 'Open WebSocket connections' }).addCallback((result) => result.observe(count()));
  }
}
