import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telemetry } from './telemetry';
import { contextOf, spanContextOf, traceparentOf } from './trace-context';
import { trace } from '@opentelemetry/api';

describe('Telemetry', () => {
  it('serves its metrics in the Prometheus text format from the caller\'s own HTTP server', async () => {
    const telemetry = Telemetry.start({ serviceName: 'tributary-test', serviceInstanceId: '7' });
    telemetry.meter.createCounter('test_requests').add(3, { api: 'Produce' });
    const server = http.createServer((request, response) => telemetry.serveMetrics(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).toContain('test_requests_total{api="Produce"} 3');
      expect(text).toMatch(/target_info\{[^}]*service_name="tributary-test"/);
    } finally {
      server.close();
      await telemetry.shutdown();
    }
  });

  it('has no tracer unless an OTLP endpoint is configured', async () => {
    const off = Telemetry.start({ serviceName: 's', serviceInstanceId: '1' });
    const on = Telemetry.start({ serviceName: 's', serviceInstanceId: '1', otlpEndpoint: 'http://127.0.0.1:1' });
    expect(off.tracer).toBeNull();
    expect(on.tracer).not.toBeNull();
    await Promise.all([off.shutdown(), on.shutdown()]);
  });
});

describe('trace context', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('reads and writes W3C traceparent text', () => {
    const parsed = spanContextOf(traceparent);
    expect(parsed).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    expect(traceparentOf(parsed!)).toBe(traceparent);
    expect(spanContextOf(Buffer.from(traceparent, 'latin1'))?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('ignores text that is not trace context', () => {
    expect(spanContextOf('00-zz-00f067aa0ba902b7-01')).toBeNull();
    expect(spanContextOf(null)).toBeNull();
    expect(trace.getSpanContext(contextOf('garbage'))).toBeUndefined();
    expect(trace.getSpanContext(contextOf(traceparent))?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});
