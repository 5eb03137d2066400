import { WebSocket } from 'ws';
import { Admin, ClusterClient, ConsumedBatch, Consumer, Producer } from '@tributary/client';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';
import { Sample, has, scrape, total } from './prometheus-scrape';

async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const metricsOf = (node: NodeProcess): Promise<Sample[]> => scrape(`http://127.0.0.1:${node.httpPort}/metrics`);

const PRODUCED_NATIVE = 500;
const PRODUCED_REST = 3;
const PRODUCED_AFTER_GROUP = 20;

/**
 * Every app's /metrics after real traffic: native producer and consumer group, REST produce and a
 * WebSocket subscription through the gateway, against controller, broker and gateway processes.
 */
describe('metrics on every app (GET /metrics, Prometheus text)', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'metrics-test' });
    await new Admin(client).createTopics([{ name: 'metered', partitions: 2, replicationFactor: 1 }]);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('counts records and bytes in and out per topic, requests per API, and the lag of a consumer group', async () => {
    const before = await metricsOf(cluster.brokers[0]);
    const producer = new Producer(client, { lingerMs: 5 });
    await producer.send('metered', Array.from({ length: PRODUCED_NATIVE }, (_, i) => ({ key: `k${i}`, value: `value-${i}` })));
    await producer.flush();

    const consumed: string[] = [];
    const consumer = new Consumer(client, { groupId: 'metered-readers', fromBeginning: true, autoCommitIntervalMs: 200, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 });
    consumer.subscribe(['metered']);
    void consumer.run({ eachBatch: (batch: ConsumedBatch) => void consumed.push(...batch.records.map((r) => r.value!.toString())) });
    await until(() => consumed.length >= PRODUCED_NATIVE, `${PRODUCED_NATIVE} records consumed (got ${consumed.length})`);
    await consumer.stop(); // commits what it read
    // records nobody in the group has read yet: the group's lag
    await producer.send('metered', Array.from({ length: PRODUCED_AFTER_GROUP }, (_, i) => ({ value: `late-${i}` })));
    await producer.close();

    const after = await metricsOf(cluster.brokers[0]);
    const grew = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(total(after, 'tributary_broker_topic_records_in_total', { topic: 'metered' })).toBe(PRODUCED_NATIVE + PRODUCED_AFTER_GROUP);
    expect(total(after, 'tributary_broker_topic_bytes_in_total', { topic: 'metered' })).toBeGreaterThan((PRODUCED_NATIVE + PRODUCED_AFTER_GROUP) * 'value-0'.length);
    // the consumer may fetch a batch again around its rebalance, never less than everything once
    expect(total(after, 'tributary_broker_topic_records_out_total', { topic: 'metered' })).toBeGreaterThanOrEqual(PRODUCED_NATIVE);
    expect(total(after, 'tributary_broker_topic_bytes_out_total', { topic: 'metered' })).toBeGreaterThan(0);
    expect(grew('tributary_broker_requests_total', { api: 'Produce' })).toBeGreaterThanOrEqual(2);
    expect(grew('tributary_broker_requests_total', { api: 'Fetch' })).toBeGreaterThanOrEqual(1);
    expect(grew('tributary_broker_requests_total', { api: 'JoinGroup' })).toBeGreaterThanOrEqual(1);
    expect(grew('tributary_broker_request_duration_ms_count', { api: 'Produce' })).toBe(grew('tributary_broker_requests_total', { api: 'Produce' }));
    expect(total(after, 'tributary_broker_request_duration_ms_bucket', { api: 'Produce', le: '+Inf' })).toBe(total(after, 'tributary_broker_requests_total', { api: 'Produce' }));
    await until(async () => total(await metricsOf(cluster.brokers[0]), 'tributary_broker_group_lag', { group: 'metered-readers', topic: 'metered' }) === PRODUCED_AFTER_GROUP, 'the group lag to show the unread records');
    for (const gauge of ['tributary_broker_purgatory_size', 'tributary_broker_partitions_under_replicated', 'tributary_broker_partitions_offline']) expect(has(after, gauge)).toBe(true);
    expect(total(after, 'tributary_broker_partitions_offline')).toBe(0);
    expect(total(after, 'tributary_broker_partitions_under_replicated')).toBe(0);
    expect(total(after, 'tributary_broker_partitions_leader')).toBeGreaterThanOrEqual(2);
    expect(after.find((s) => s.name === 'target_info')?.labels).toMatchObject({ service_name: 'tributary-broker', service_instance_id: String(cluster.brokers[0].id) });
  }, 90_000);

  it('shows Raft commit latency, leadership and the metadata offset on the controller', async () => {
    const samples = await metricsOf(cluster.controllers[0]);
    // registration, the topic and the group's offsets topic each committed through Raft
    expect(total(samples, 'tributary_controller_raft_commit_latency_ms_count')).toBeGreaterThanOrEqual(2);
    expect(total(samples, 'tributary_controller_raft_commit_latency_ms_sum')).toBeGreaterThan(0);
    expect(total(samples, 'tributary_controller_raft_leader_changes_total')).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'tributary_controller_active')).toBe(1);
    expect(total(samples, 'tributary_controller_metadata_offset', { kind: 'committed' })).toBeGreaterThan(0);
    expect(total(samples, 'tributary_controller_metadata_offset', { kind: 'applied' })).toBeGreaterThan(0);
  });

  it('counts gateway HTTP requests by route and status, WebSocket connections and deliveries', async () => {
    const gateway = `http://127.0.0.1:${cluster.gateway!.httpPort}`;
    const before = await metricsOf(cluster.gateway!);
    const clusterId = ((await (await fetch(`${gateway}/v3/clusters`)).json()) as { data: { cluster_id: string }[] }).data[0].cluster_id;
    const route = '/v3/clusters/:cluster_id/topics/:topic_name/records';
    for (let i = 0; i < PRODUCED_REST; i++) {
      const answer = await fetch(`${gateway}/v3/clusters/${clusterId}/topics/metered/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: { type: 'STRING', data: `rest-${i}` } }) });
      expect(answer.status).toBe(200);
    }
    expect((await fetch(`${gateway}/v3/clusters/${clusterId}/topics/missing-topic/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);

    const ws = new WebSocket(`ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`);
    const delivered: unknown[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; records?: unknown[] };
      if (frame.type === 'records') delivered.push(...(frame.records ?? []));
    });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.send(JSON.stringify({ type: 'subscribe', id: 's', partitions: [{ topic: 'metered', partition: 0, offset: 0 }], credit: 50 }));
    await until(() => delivered.length === 50, '50 deliveries within the credit');
    const during = await metricsOf(cluster.gateway!);
    ws.close();

    const grew = (name: string, labels: Record<string, string> = {}) => total(during, name, labels) - total(before, name, labels);
    expect(grew('tributary_gateway_http_requests_total', { method: 'POST', route, status: '200' })).toBe(PRODUCED_REST);
    expect(grew('tributary_gateway_http_requests_total', { method: 'POST', route, status: '404' })).toBe(1);
    expect(grew('tributary_gateway_http_duration_ms_count', { method: 'POST', route, status: '200' })).toBe(PRODUCED_REST);
    expect(total(during, 'tributary_gateway_ws_connections')).toBe(1);
    expect(grew('tributary_gateway_ws_records_sent_total')).toBe(50);
    expect(grew('tributary_gateway_ws_deliveries_total')).toBeGreaterThanOrEqual(1);
    await until(async () => total(await metricsOf(cluster.gateway!), 'tributary_gateway_ws_connections') === 0, 'the closed socket to leave the gauge');
    // what the gateway produced reached the broker's per-topic count
    const broker = await metricsOf(cluster.brokers[0]);
    expect(total(broker, 'tributary_broker_topic_records_in_total', { topic: 'metered' })).toBe(PRODUCED_NATIVE + PRODUCED_AFTER_GROUP + PRODUCED_REST);
  }, 60_000);
});

/** Replication figures on a partition leader while its follower is down and after it returns. */
describe('broker replication metrics', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 2, brokerSessionTimeoutMs: 2000 });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'replication-metrics-test' });
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('shows an under-replicated partition while its follower is away and counts the ISR expand when it is back', async () => {
    await new Admin(client).createTopics([{ name: 'replicated', partitions: 1, replicationFactor: 2 }]);
    await until(async () => {
      client.invalidate('replicated');
      return (await client.topic('replicated')).partitions[0]?.isr.length === 2;
    }, 'both replicas in the ISR');
    const { leader: leaderId } = (await client.topic('replicated')).partitions[0];
    const leader = cluster.brokers.find((b) => b.id === leaderId)!;
    const follower = cluster.brokers.find((b) => b.id !== leaderId)!;
    const leaderMetrics = () => metricsOf(leader);
    expect(total(await leaderMetrics(), 'tributary_broker_partitions_under_replicated')).toBe(0);
    const expandsBefore = total(await leaderMetrics(), 'tributary_broker_isr_expands_total');

    await follower.kill('SIGKILL');
    // the controller fences the silent broker and takes it out of the ISR
    await until(async () => total(await leaderMetrics(), 'tributary_broker_partitions_under_replicated') === 1, 'the partition to show as under-replicated');
    const producer = new Producer(client, { acks: 1, lingerMs: 1 });
    await producer.send('replicated', Array.from({ length: 50 }, (_, i) => ({ value: `while-away-${i}` })));
    await producer.close();

    await follower.restart();
    // the follower catches up and the leader proposes it back into the ISR
    await until(async () => total(await leaderMetrics(), 'tributary_broker_partitions_under_replicated') === 0, 'the ISR to be whole again', 60_000);
    expect(total(await leaderMetrics(), 'tributary_broker_isr_expands_total') - expandsBefore).toBeGreaterThanOrEqual(1);
    expect(total(await leaderMetrics(), 'tributary_broker_topic_records_in_total', { topic: 'replicated' })).toBe(50);
  }, 120_000);
});
