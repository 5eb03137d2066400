import { WebSocket } from 'ws';
import { Admin, ClusterClient } from '@tributary/client';
import { LocalCluster } from './local-cluster';
import { OtlpReceiver, ReceivedSpan } from './otlp-receiver';

async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Delivery {
  value: string;
  traceparent?: string;
}

/** A WebSocket subscription that keeps every delivered record. */
async function subscribe(url: string, topic: string): Promise<{ deliveries: Delivery[]; socket: WebSocket }> {
  const socket = new WebSocket(url);
  const deliveries: Delivery[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; records?: Delivery[] };
    if (frame.type === 'records') deliveries.push(...(frame.records ?? []));
  });
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  socket.send(JSON.stringify({ type: 'subscribe', id: 'traced', partitions: [{ topic, partition: 0, offset: 0 }], credit: 100, value_format: 'string' }));
  return { deliveries, socket };
}

/**
 * Traces across processes: every app exports OTLP/HTTP JSON to a receiver in this test; a record
 * produced over REST with a traceparent and delivered over WebSocket leaves one trace with spans
 * from the gateway (HTTP produce, delivery) and the broker (Produce, and a Fetch linking it).
 */
describe('traces over OTLP (--otlp-endpoint)', () => {
  let receiver: OtlpReceiver;
  let cluster: LocalCluster;
  let client: ClusterClient;
  const spansOf = (traceId: string): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === traceId);

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const otlp = ['--otlp-endpoint', receiver.endpoint];
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true, controllerArgs: otlp, brokerArgs: otlp, gatewayArgs: otlp });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'tracing-test' });
    await new Admin(client).createTopics([
      { name: 'traced-rest', partitions: 1, replicationFactor: 1 },
      { name: 'traced-ws', partitions: 1, replicationFactor: 1 },
    ]);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
    await receiver?.close();
  }, 60_000);

  it('one trace id spans REST produce at the gateway -> broker append -> WebSocket delivery', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const gateway = `http://127.0.0.1:${cluster.gateway!.httpPort}`;
    const { deliveries, socket } = await subscribe(`ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`, 'traced-rest');
    const clusterId = ((await (await fetch(`${gateway}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0].cluster_id;
    const produced = await fetch(`${gateway}/v3/clusters/${clusterId}/topics/traced-rest/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ value: { type: 'STRING', data: 'traced' } }),
    });
    expect(produced.status).toBe(200);
    await until(() => deliveries.length === 1, 'the record over the WebSocket');
    socket.close();

    const has = (service: string, name: RegExp) => spansOf(traceId).some((s) => s.service === service && name.test(s.name));
    await until(
      () => has('tributary-gateway', /^POST /) && has('tributary-broker', /^Produce /) && has('tributary-gateway', /^deliver /),
      `gateway HTTP, broker Produce and gateway delivery spans of trace ${traceId}; got ${JSON.stringify(receiver.spans.map((s) => [s.service, s.name, s.traceId]))}`,
    );
    const spans = spansOf(traceId);
    const http = spans.find((s) => s.service === 'tributary-gateway' && s.name === 'POST /v3/clusters/:cluster_id/topics/:topic_name/records')!;
    const append = spans.find((s) => s.service === 'tributary-broker' && s.name === 'Produce traced-rest')!;
    const delivery = spans.find((s) => s.service === 'tributary-gateway' && s.name === 'deliver traced-rest')!;
    expect(http.parentSpanId).toBe(callerSpanId);
    // the record carried the gateway's span: the broker and the delivery continue it
    expect(deliveries[0].traceparent).toBe(`00-${traceId}-${http.spanId}-01`);
    expect(append.parentSpanId).toBe(http.spanId);
    expect(delivery.parentSpanId).toBe(http.spanId);
    // the consumer's poll is its own trace, linked to the records it returned
    await until(() => receiver.spans.some((s) => s.service === 'tributary-broker' && s.name === 'Fetch traced-rest' && s.links.some((l) => l.traceId === traceId)), 'a broker Fetch span linking the trace');
  }, 60_000);

  it('continues a WebSocket produce frame\'s traceparent through the broker to the delivery', async () => {
    const traceId = 'aaf92f3577b34da6a3ce929d0e0e4700';
    const { deliveries, socket } = await subscribe(`ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`, 'traced-ws');
    socket.send(JSON.stringify({ type: 'produce', id: 'p', topic: 'traced-ws', value: 'over ws', traceparent: `00-${traceId}-1111111111111111-01` }));
    await until(() => deliveries.length === 1, 'the record over the WebSocket');
    socket.close();
    await until(() => ['WS produce traced-ws', 'Produce traced-ws', 'deliver traced-ws'].every((name) => spansOf(traceId).some((s) => s.name === name)), `the spans of trace ${traceId}`);
    const produce = spansOf(traceId).find((s) => s.name === 'WS produce traced-ws')!;
    expect(produce.parentSpanId).toBe('1111111111111111');
    expect(spansOf(traceId).find((s) => s.name === 'Produce traced-ws')!.parentSpanId).toBe(produce.spanId);
    expect(deliveries[0].traceparent).toBe(`00-${traceId}-${produce.spanId}-01`);
  }, 60_000);
});
