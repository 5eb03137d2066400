import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { Admin, ClusterClient, GatewayRecord, GatewaySubscription, Producer } from '@tributary/client';
import { freePort } from './free-port';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';
import { scrape, total } from './prometheus-scrape';

const exec = promisify(execFile);

/** A frame the gateway sent: every field the tests read. */
interface Frame {
  type: string;
  id?: string;
  error_code?: number;
  message?: string;
  records?: GatewayRecord[];
  partitions?: { topic: string; partition: number; offset: number }[];
  offsets?: { topic: string; partition: number; offset: number }[];
  partition?: number;
  offset?: number;
}

/** A raw WebSocket client that keeps every frame and waits (bounded) for the one a test needs. */
class TestSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async open(url: string, headers?: Record<string, string>): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestSocket(ws);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (from the start) matching `match`. */
  async next(match: (f: Frame) => boolean, what: string, timeoutMs = 30_000): Promise<Frame> {
    let found: Frame | undefined;
    await until(() => (found = this.frames.find(match)) !== undefined, `${what}; frames so far: ${JSON.stringify(this.frames.slice(-3))}`, timeoutMs);
    return found!;
  }

  /** Every record delivered to subscription `id`, in arrival order. */
  records(id: string): GatewayRecord[] {
    return this.frames.filter((f) => f.type === 'records' && f.id === id).flatMap((f) => f.records ?? []);
  }

  close(): void {
    this.ws.close();
  }
}

async function until(done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function kcatProduce(bootstrap: string, topic: string, lines: string[], extra: string[] = []): Promise<void> {
  const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K', ':', ...extra], { timeout: 60_000 });
  produce.child.stdin?.end(`${lines.join('\n')}\n`);
  await produce;
}

async function kcatRead(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h\n'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** The gateway's /v1/ws against a controller and a broker, all real processes, with kcat on the other side. */
describe('gateway WebSocket endpoint /v1/ws', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;
  let url: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    url = `ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`;
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'ws-test' });
    await new Admin(client).createTopics([
      { name: 'events', partitions: 2, replicationFactor: 1 },
      { name: 'written', partitions: 3, replicationFactor: 1 },
      { name: 'grouped', partitions: 3, replicationFactor: 1 },
      { name: 'timeline', partitions: 1, replicationFactor: 1 },
      { name: 'flood', partitions: 1, replicationFactor: 1 },
      { name: 'resumed', partitions: 2, replicationFactor: 1 },
    ]);
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('delivers what kcat produced: keys, JSON values, headers and the traceparent, only within the granted credit', async () => {
    await kcatProduce(cluster.bootstrap, 'events', Array.from({ length: 10 }, (_, i) => `k${i}:{"n":${i}}`), ['-H', `traceparent=${TRACEPARENT}`, '-H', 'source=kcat']);
    const socket = await TestSocket.open(url);
    socket.send({ type: 'subscribe', id: 'e', topics: ['events'], from: 'earliest', credit: 4, value_format: 'json' });
    const subscribed = await socket.next((f) => f.type === 'subscribed', 'subscribed');
    expect(subscribed.partitions).toEqual([
      { topic: 'events', partition: 0, offset: 0 },
      { topic: 'events', partition: 1, offset: 0 },
    ]);
    await until(() => socket.records('e').length === 4, '4 records');
    // a while with no credit left: nothing more arrives
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(socket.records('e')).toHaveLength(4);
    socket.send({ type: 'credit', id: 'e', records: 100 });
    await until(() => socket.records('e').length === 10, 'all 10 records');
    const records = socket.records('e');
    expect(records.map((r) => (r.value as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const r of records) {
      expect(r.key).toBe(`k${(r.value as { n: number }).n}`);
      expect(r.traceparent).toBe(TRACEPARENT);
      expect(r.headers).toEqual([
        { name: 'traceparent', value: TRACEPARENT },
        { name: 'source', value: 'kcat' },
      ]);
      expect(Date.parse(r.timestamp!)).toBeGreaterThan(Date.now() - 120_000);
    }
    // per partition, offsets in order from 0
    for (const partition of [0, 1]) {
      const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    socket.close();
  }, 60_000);

  it('produces over the socket with one acknowledgement per message; kcat reads the records; bad produce frames get errors', async () => {
    const socket = await TestSocket.open(url);
    for (let i = 0; i < 30; i++) {
      socket.send({ type: 'produce', id: `p${i}`, topic: 'written', key: `key-${i}`, value: { i }, value_format: 'json', headers: [{ name: 'h', value: `v${i}` }], traceparent: TRACEPARENT });
    }
    socket.send({ type: 'produce', id: 'bin', topic: 'written', partition: 2, value: Buffer.from([0, 1, 2, 255]).toString('base64'), value_format: 'binary' });
    socket.send({ type: 'produce', id: 'no-topic', topic: 'missing', value: 'x' });
    socket.send({ type: 'produce', id: 'no-partition', topic: 'written', partition: 9, value: 'x' });
    socket.send({ type: 'produce', id: 'bad-base64', topic: 'written', value: 'not base64!', value_format: 'binary' });
    socket.send({ type: 'produce', id: 'bad-value', topic: 'written', value: 42 });
    await until(() => socket.frames.length >= 35, 'an answer to each produce frame');
    const produced = socket.frames.filter((f) => f.type === 'produced');
    expect(produced.map((f) => f.id).sort()).toEqual([...Array.from({ length: 30 }, (_, i) => `p${i}`), 'bin'].sort());
    const errors = new Map(socket.frames.filter((f) => f.type === 'error').map((f) => [f.id, f]));
    expect(errors.get('no-topic')).toMatchObject({ error_code: 404 });
    expect(errors.get('no-partition')).toMatchObject({ error_code: 422, message: expect.stringContaining('partition') });
    expect(errors.get('bad-base64')).toMatchObject({ error_code: 422, message: 'value: not base64' });
    expect(errors.get('bad-value')).toMatchObject({ error_code: 422, message: expect.stringContaining('value:') });
    socket.close();

    const stored = await Promise.all([0, 1, 2].map((p) => kcatRead(cluster.bootstrap, 'written', p)));
    expect(stored.flat()).toHaveLength(31);
    for (let i = 0; i < 30; i++) {
      const ack = produced.find((f) => f.id === `p${i}`)!;
      expect(stored[ack.partition!][ack.offset!]).toBe(`key-${i}|{"i":${i}}|h=v${i},traceparent=${TRACEPARENT}`);
    }
    const bin = produced.find((f) => f.id === 'bin')!;
    expect(bin.partition).toBe(2);
  }, 60_000);

  it('group subscription: acks commit; after a disconnect a new socket resumes after the last ack, losing nothing', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `k${i}:g-${i}`);
    await kcatProduce(cluster.bootstrap, 'grouped', lines);
    const first = await TestSocket.open(url);
    first.send({ type: 'subscribe', id: 'g', group: 'ws-group', topics: ['grouped'], from: 'earliest', credit: 120 });
    await until(() => first.records('g').length === 120, '120 records within the credit');
    const seen = first.records('g');
    // ack the first half of what each partition delivered
    const acked = new Map<number, number>();
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset);
      if (offsets.length > 1) acked.set(p, offsets[Math.floor(offsets.length / 2) - 1]);
    }
    first.send({ type: 'ack', id: 'g', offsets: [...acked].map(([partition, offset]) => ({ topic: 'grouped', partition, offset })) });
    const committed = await first.next((f) => f.type === 'committed', 'committed');
    expect(new Map(committed.offsets!.map((o) => [o.partition, o.offset]))).toEqual(acked);
    first.close();

    await kcatProduce(cluster.bootstrap, 'grouped', Array.from({ length: 100 }, (_, i) => `k${300 + i}:g-${300 + i}`));
    const second = await TestSocket.open(url);
    second.send({ type: 'subscribe', id: 'g', group: 'ws-group', topics: ['grouped'], from: 'earliest', credit: 1000 });
    const expectedAfterResume = new Map([0, 1, 2].map((p) => [p, 0]));
    const stored = await Promise.all([0, 1, 2].map((p) => kcatRead(cluster.bootstrap, 'grouped', p)));
    for (const p of [0, 1, 2]) expectedAfterResume.set(p, stored[p].length - ((acked.get(p) ?? -1) + 1));
    const total = [...expectedAfterResume.values()].reduce((a, b) => a + b, 0);
    await until(() => second.records('g').length >= total, `${total} records after the resume`, 60_000);
    for (const p of [0, 1, 2]) {
      const offsets = second.records('g').filter((r) => r.partition === p).map((r) => r.offset);
      // exactly from the record after the ack, to the end, in order
      const from = (acked.get(p) ?? -1) + 1;
      expect(offsets).toEqual(Array.from({ length: stored[p].length - from }, (_, i) => from + i));
    }
    const everything = new Set([...seen, ...second.records('g')].map((r) => r.value));
    expect(everything.size).toBe(400);
    second.close();
  }, 90_000);

  it('direct partitions start from an offset or from a timestamp', async () => {
    await kcatProduce(cluster.bootstrap, 'timeline', Array.from({ length: 20 }, (_, i) => `k:early-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const boundary = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await kcatProduce(cluster.bootstrap, 'timeline', Array.from({ length: 5 }, (_, i) => `k:late-${i}`));
    const socket = await TestSocket.open(url);
    socket.send({ type: 'subscribe', id: 'o', partitions: [{ topic: 'timeline', partition: 0, offset: 15 }], credit: 100 });
    socket.send({ type: 'subscribe', id: 't', topics: ['timeline'], from: { timestamp: new Date(boundary).toISOString() }, credit: 100 });
    socket.send({ type: 'subscribe', id: 'l', topics: ['timeline'], credit: 100 }); // latest by default
    expect((await socket.next((f) => f.type === 'subscribed' && f.id === 't', 'subscribed t')).partitions).toEqual([{ topic: 'timeline', partition: 0, offset: 20 }]);
    expect((await socket.next((f) => f.type === 'subscribed' && f.id === 'l', 'subscribed l')).partitions).toEqual([{ topic: 'timeline', partition: 0, offset: 25 }]);
    await until(() => socket.records('o').length === 10 && socket.records('t').length === 5, 'records from offset 15 and from the timestamp');
    expect(socket.records('o').map((r) => r.value)).toEqual([...Array.from({ length: 5 }, (_, i) => `early-${15 + i}`), ...Array.from({ length: 5 }, (_, i) => `late-${i}`)]);
    expect(socket.records('t').map((r) => r.value)).toEqual(Array.from({ length: 5 }, (_, i) => `late-${i}`));
    await kcatProduce(cluster.bootstrap, 'timeline', ['k:newest']);
    await until(() => socket.records('l').length === 1, 'the record produced after the latest subscription');
    expect(socket.records('l')[0]).toMatchObject({ offset: 25, value: 'newest' });
    socket.close();
  }, 60_000);

  it('a slow subscriber while 60,000 records arrive: gateway memory stays bounded, and it receives every record once it reads', async () => {
    const pid = cluster.gateway!.pid!;
    const socket = await TestSocket.open(url);
    socket.send({ type: 'subscribe', id: 's', topics: ['flood'], from: 'earliest', credit: 10 });
    await socket.next((f) => f.type === 'subscribed', 'subscribed');
    const baseline = rssKiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 20);
    const value = 'v'.repeat(1000); // 60 MB in all: far more than the gateway may hold for one subscriber
    for (let batch = 0; batch < 6; batch++) await kcatProduce(cluster.bootstrap, 'flood', Array.from({ length: 10_000 }, (_, i) => `k${batch * 10_000 + i}:${value}`));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    clearInterval(sampler);
    expect(socket.records('s')).toHaveLength(10);
    // the subscription holds at most ~64 KiB of records and ~2 fetches; the rest stays in the log
    expect(peak - baseline).toBeLessThan(40 * 1024);

    const received: GatewayRecord[] = [];
    // now it reads: grant as it goes, 2,000 at a time
    for (let round = 0; round < 40 && received.length < 60_000; round++) {
      socket.send({ type: 'credit', id: 's', records: 2000 });
      const target = Math.min(60_000, 10 + (round + 1) * 2000);
      await until(() => socket.records('s').length >= target, `${target} records`, 30_000);
    }
    received.push(...socket.records('s'));
    expect(received).toHaveLength(60_000);
    expect(received.map((r) => r.offset)).toEqual(Array.from({ length: 60_000 }, (_, i) => i));
    socket.close();
  }, 120_000);

  it('direct subscribers of one partition share its reads: each gets every record, the broker sends them about once', async () => {
    await new Admin(client).createTopics([{ name: 'fanned', partitions: 1, replicationFactor: 1 }]);
    const producer = new Producer(client, { lingerMs: 5 });
    await producer.send('fanned', Array.from({ length: 3000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(100) })));
    const subscribers = await Promise.all(Array.from({ length: 40 }, () => TestSocket.open(url)));
    for (const s of subscribers) s.send({ type: 'subscribe', id: 'f', topics: ['fanned'], from: 'earliest', credit: 5000 });
    await until(() => subscribers.every((s) => s.records('f').length === 3000), 'every subscriber receiving the 3,000 records', 60_000);
    // and at the tail: records produced now reach every subscriber waiting at the end
    await producer.send('fanned', Array.from({ length: 10 }, (_, i) => ({ value: `late-${i}` })));
    await producer.close();
    await until(() => subscribers.every((s) => s.records('f').length === 3010), 'every subscriber receiving the 10 late records', 60_000);
    for (const s of subscribers) expect(s.records('f').map((r) => r.offset)).toEqual(Array.from({ length: 3010 }, (_, i) => i));
    const metrics = await scrape(`http://127.0.0.1:${cluster.brokers[0].httpPort}/metrics`);
    const written = total(metrics, 'tributary_broker_topic_bytes_in_total', { topic: 'fanned' });
    const sent = total(metrics, 'tributary_broker_topic_bytes_out_total', { topic: 'fanned' });
    // 40 consumers of their own would have fetched 40 times what was written
    expect(sent).toBeGreaterThanOrEqual(written);
    expect(sent).toBeLessThan(3 * written);
    for (const s of subscribers) s.close();
  }, 90_000);

  it('a topic deleted under a direct subscription ends it with an error frame', async () => {
    await new Admin(client).createTopics([{ name: 'doomed', partitions: 1, replicationFactor: 1 }]);
    const socket = await TestSocket.open(url);
    socket.send({ type: 'subscribe', id: 'd', topics: ['doomed'], from: 'earliest', credit: 10 });
    await socket.next((f) => f.type === 'subscribed', 'subscribed');
    await new Admin(client).deleteTopics(['doomed']);
    const error = await socket.next((f) => f.type === 'error' && f.id === 'd', 'an error frame for the deleted topic');
    expect(error.message).toMatch(/UNKNOWN_TOPIC/);
    await socket.next((f) => f.type === 'unsubscribed' && f.id === 'd', 'unsubscribed');
    socket.close();
  }, 60_000);

  it('answers bad frames with errors naming the problem; a malformed frame closes only its socket; frames have a size limit', async () => {
    const bystander = await TestSocket.open(url);
    bystander.send({ type: 'subscribe', id: 'b', topics: ['events'], from: 'earliest', credit: 100 });
    const socket = await TestSocket.open(url);
    socket.send({ type: 'subscribe', id: 'x', topics: ['events'], from: 'yesterday' });
    socket.send({ type: 'subscribe', id: 'y' });
    socket.send({ type: 'subscribe', id: 'z', topics: ['nope'] });
    socket.send({ type: 'subscribe', id: 'w', group: 'g', topics: ['events'], from: { offset: 3 } });
    socket.send({ type: 'credit', id: 'unknown', records: 5 });
    socket.send({ type: 'launch', id: 'r' });
    socket.send({ type: 'subscribe', id: 'd', topics: ['events'], credit: 1 });
    await socket.next((f) => f.type === 'subscribed' && f.id === 'd', 'subscribed d');
    socket.send({ type: 'subscribe', id: 'd', topics: ['events'] });
    socket.send({ type: 'ack', id: 'd', offsets: [{ topic: 'events', partition: 0, offset: 1 }] });
    // within the schema's bound each, but together past the outstanding credit a subscription may have
    socket.send({ type: 'credit', id: 'd', records: 999_999 });
    socket.send({ type: 'credit', id: 'd', records: 999_999 });
    await until(() => socket.frames.filter((f) => f.type === 'error').length >= 9, 'nine error frames');
    const errors = new Map(socket.frames.filter((f) => f.type === 'error').map((f) => [f.id, f]));
    expect(errors.get('x')).toMatchObject({ error_code: 400, message: expect.stringMatching(/^from: expected "earliest", "latest"/) });
    expect(errors.get('y')).toMatchObject({ error_code: 400, message: 'topics: subscribe needs topics or partitions' });
    expect(errors.get('z')).toMatchObject({ error_code: 404, message: expect.stringContaining('nope') });
    expect(errors.get('w')).toMatchObject({ error_code: 400, message: expect.stringContaining('from: a group subscription') });
    expect(errors.get('unknown')).toMatchObject({ error_code: 404 });
    expect(errors.get('r')).toMatchObject({ error_code: 400, message: expect.stringContaining('type: expected one of subscribe') });
    expect(socket.frames.filter((f) => f.type === 'error' && f.id === 'd').map((f) => f.error_code).sort()).toEqual([400, 409, 429]);
    expect(socket.closed).toBeNull();

    socket.send('{"type": "subscribe", ');
    await until(() => socket.closed !== null, 'the malformed frame closing the socket');
    expect(socket.closed!.code).toBe(1007);
    expect(socket.frames.at(-1)).toMatchObject({ type: 'error', error_code: 400, message: expect.stringContaining('malformed frame') });

    const big = await TestSocket.open(url);
    big.send({ type: 'produce', id: 'big', topic: 'events', value: 'x'.repeat(1024 * 1024 + 1) });
    await until(() => big.closed !== null, 'the oversized frame closing the socket');
    expect(big.closed!.code).toBe(1009);

    // the other socket carries on
    await until(() => bystander.records('b').length >= 10, 'the bystander still receiving');
    bystander.send({ type: 'produce', id: 'after', topic: 'events', value: 'still here' });
    await bystander.next((f) => f.type === 'produced' && f.id === 'after', 'produced after');
    bystander.close();
  }, 60_000);

  it('the SDK helper iterates, refills credit, acks, and after a gateway restart resumes from its acked positions without loss', async () => {
    await kcatProduce(cluster.bootstrap, 'resumed', Array.from({ length: 200 }, (_, i) => `k${i}:r-${i}`));
    const errors: Error[] = [];
    const grouped = new GatewaySubscription({ url, group: 'sdk-group', topics: ['resumed'], from: 'earliest', credit: 20, reconnect: { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 100 }, onError: (e) => errors.push(e) });
    const direct = new GatewaySubscription({ url, topics: ['resumed'], from: 'earliest', credit: 20, reconnect: { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 100 } });
    const groupedValues: string[] = [];
    const directValues: string[] = [];
    const readGrouped = grouped.onRecord((r) => void groupedValues.push(r.value as string));
    const readDirect = (async () => {
      for await (const r of direct) directValues.push(r.value as string);
    })();
    await until(() => groupedValues.length >= 200 && directValues.length >= 200, 'the first 200 records through both helpers');

    await cluster.gateway!.restart();
    await kcatProduce(cluster.bootstrap, 'resumed', Array.from({ length: 200 }, (_, i) => `k${200 + i}:r-${200 + i}`));
    const all = Array.from({ length: 400 }, (_, i) => `r-${i}`);
    await until(() => all.every((v) => groupedValues.includes(v)) && all.every((v) => directValues.includes(v)), 'all 400 records after the restart', 60_000);
    expect(errors.some((e) => /connection closed/.test(e.message))).toBe(true);
    // the direct helper resumes from its own positions and skips what it handed over already: no duplicates
    expect(directValues).toHaveLength(400);
    await grouped.close();
    await direct.close();
    await Promise.all([readGrouped, readDirect]);
  }, 120_000);

  it('with credentials configured, an upgrade without them is refused with 401 before any socket opens', async () => {
    const port = await freePort();
    const secured = new NodeProcess('gateway', 2, ['--http-port', String(port), '--brokers', `101@${cluster.bootstrap}`, '--api-keys', JSON.stringify([{ key: 'key-of-alice', principal: 'User:alice' }])], port, {});
    secured.start();
    try {
      await secured.waitHealthy(60_000);
      const securedUrl = `ws://127.0.0.1:${port}/v1/ws`;
      await expect(TestSocket.open(securedUrl)).rejects.toThrow(/401/);
      await expect(TestSocket.open(`${securedUrl}?token=wrong-key-123`)).rejects.toThrow(/401/);
      for (const socket of [await TestSocket.open(securedUrl, { 'X-API-Key': 'key-of-alice' }), await TestSocket.open(`${securedUrl}?token=key-of-alice`)]) {
        socket.send({ type: 'subscribe', id: 'a', topics: ['events'], from: 'earliest', credit: 1 });
        await socket.next((f) => f.type === 'records', 'a record for alice');
        socket.close();
      }
    } finally {
      await secured.kill('SIGTERM', 5000);
    }
  }, 90_000);
});
