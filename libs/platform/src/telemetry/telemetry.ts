import type { IncomingMessage, ServerResponse } from 'node:http';
import { Meter, Tracer } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  /** service.name: tributary-broker, tributary-controller, tributary-gateway */
  serviceName: string;
  /** service.instance.id: tells the nodes of one service apart (e.g. the node id) */
  serviceInstanceId: string;
  /**
   * Base URL of an OTLP/HTTP collector (http://host:4318); spans go to <url>/v1/traces as JSON.
   * Unset: no tracer at all, so callers skip every bit of trace work.
   */
  otlpEndpoint?: string;
}

/** Spans queued for export at most; beyond it new spans are dropped (never unbounded memory). */
const MAX_QUEUED_SPANS = 2048;
const SPAN_EXPORT_DELAY_MS = 500;

/**
 * One app's OpenTelemetry: a MeterProvider read by a Prometheus exporter that the app serves on
 * its own HTTP port (no second server), and, only when an OTLP endpoint is configured, a tracer
 * exporting spans over OTLP/HTTP. Nothing is registered globally: the app hands `meter` and
 * `tracer` to the classes that record, so two apps in one process (tests) stay apart.
 */
export class Telemetry {
  private constructor(
    readonly meter: Meter,
    /** null when tracing is off: check it before building span attributes or reading headers. */
    readonly tracer: Tracer | null,
    private readonly meterProvider: MeterProvider,
    private readonly prometheus: PrometheusExporter,
    private readonly tracerProvider: TracerProvider | null,
  ) {}

  static start(options: TelemetryOptions): Telemetry {
    const resource = resourceFromAttributes({ 'service.name': options.serviceName, 'service.instance.id': options.serviceInstanceId });
    const prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
    let tracerProvider: TracerProvider | null = null;
    if (options.otlpEndpoint) {
      const exporter = new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` });
      tracerProvider = new TracerProvider({
        resource,
        spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: MAX_QUEUED_SPANS, scheduledDelayMillis: SPAN_EXPORT_DELAY_MS })],
      });
    }
    const meter = meterProvider.getMeter('tributary');
    return new Telemetry(meter, tracerProvider?.getTracer('tributary') ?? null, meterProvider, prometheus, tracerProvider);
  }

  /** Answers a scrape with every metric in the Prometheus text format. */
  serveMetrics(request: IncomingMessage, response: ServerResponse): void {
    this.prometheus.getMetricsRequestHandler(request, response);
  }

  /** Sends the spans still queued, then stops both providers. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([this.tracerProvider?.shutdown(), this.meterProvider.shutdown()]);
  }
}
