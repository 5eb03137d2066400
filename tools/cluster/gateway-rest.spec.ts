import { execFile, spawn } from 'node:child_process';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { rest } from '@tributary/client';
import { freePort } from './free-port';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';

const exec = promisify(execFile);

/** What a stack trace in a body would look like: "    at fn (file.ts:12:3)" or a source path. */
const STACK_TRACE = /\n\s+at .+\(|\.ts:\d+:\d+|node_modules\//;

const ALICE_KEY = 'alice-key-0123';
const BOB_TOKEN = 'bob-token-0123';
const STRICT_BODY_LIMIT = 4096;

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked field by field
  body: any;
  text: string;
  contentType: string | null;
}

/** One HTTP call; every answer of every test is checked for stack traces here. */
async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const hasBody = init.body !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody && typeof init.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: hasBody ? (typeof init.body === 'string' ? init.body : JSON.stringify(init.body)) : undefined,
  });
  const text = await response.text();
  expect(text).not.toMatch(STACK_TRACE);
  let body: unknown = null;
  try {
    body = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, body, text, contentType: response.headers.get('content-type') };
}

/** Reads an NDJSON response line by line, each read bounded in time. */
function lineReader(response: Response): { next: () => Promise<string>; rest: () => Promise<string[]> } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const next = async (): Promise<string> => {
    const deadline = Date.now() + 20_000;
    while (!buffered.includes('\n')) {
      if (Date.now() > deadline) throw new Error('no delivery report within 20 s');
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended; unread: ${buffered}`);
      buffered += decoder.decode(value, { stream: true });
    }
    const newline = buffered.indexOf('\n');
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    expect(line).not.toMatch(STACK_TRACE);
    return line;
  };
  const rest = async (): Promise<string[]> => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) buffered += decoder.decode(chunk.value, { stream: true });
    return buffered.split('\n').filter((line) => line.length > 0);
  };
  return { next, rest };
}

/** A chunked POST whose body the test writes line by line while reading the answers. */
function openStream(url: string, headers: Record<string, string> = {}) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const response = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, duplex: 'half' } as RequestInit);
  const encoder = new TextEncoder();
  return { write: (text: string) => controller.enqueue(encoder.encode(text)), end: () => controller.close(), response };
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** The gateway's REST API over real HTTP, against a controller, a broker and gateway processes, checked with kcat. */
describe('gateway REST API against a local cluster', () => {
  let cluster: LocalCluster;
  /** A second gateway with API keys, bearer tokens, ACLs, a 4 KiB body limit and 1 s instance expiry. */
  let strict: NodeProcess;
  let base: string;
  let strictBase: string;
  let clusterId: string;
  let v3: string;

  const kcat = async (args: string[], input?: string): Promise<string> => {
    if (input === undefined) return (await exec('kcat', ['-b', cluster.bootstrap, ...args], { timeout: 30_000 })).stdout;
    return new Promise((resolve, reject) => {
      const child = spawn('kcat', ['-b', cluster.bootstrap, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve('');
        else reject(new Error(`kcat exited ${code}: ${stderr}`));
      });
      child.stdin.end(input);
    });
  };

  const createTopic = async (name: string, partitions: number, gateway = base, headers: Record<string, string> = {}) => {
    const created = await call(`${gateway}/v3/clusters/${clusterId}/topics`, { body: { topic_name: name, partitions_count: partitions, replication_factor: 1 }, headers });
    expect(created.status).toBe(201);
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    base = `http://127.0.0.1:${cluster.gateway!.httpPort}`;
    const strictPort = await freePort();
    strict = new NodeProcess(
      'gateway',
      2,
      [
        '--http-port', String(strictPort),
        '--brokers', cluster.brokers.map((b) => `${b.id}@127.0.0.1:${b.ports.kafka}`).join(','),
        '--api-keys', JSON.stringify([{ key: ALICE_KEY, principal: 'User:alice' }]),
        '--bearer-tokens', JSON.stringify([{ token: BOB_TOKEN, principal: 'User:bob' }]),
        '--acls', JSON.stringify([{ principal: 'User:alice', read: ['*'], write: ['*'], admin: true }, { principal: 'User:bob', read: ['rest-*'], write: [] }]),
        '--max-body-bytes', String(STRICT_BODY_LIMIT),
        '--consumer-instance-idle-timeout-ms', '1000',
      ],
      strictPort,
      {},
    );
    strict.start();
    await strict.waitHealthy(60_000);
    strictBase = `http://127.0.0.1:${strictPort}`;
    clusterId = (await call(`${base}/v3/clusters`)).body.data[0].cluster_id;
    v3 = `${base}/v3/clusters/${clusterId}`;
  }, 120_000);

  afterAll(async () => {
    await strict?.kill('SIGTERM', 5000);
    await cluster?.stop();
  }, 60_000);

  it('produces single records with JSON, string and binary keys and values, headers and timestamps; kcat reads them back', async () => {
    await createTopic('rest-single', 1);
    const records = [
      { key: { type: 'STRING', data: 'user-1' }, value: { type: 'JSON', data: { n: 1, s: 'x' } }, headers: [{ name: 'trace', value: b64('abc') }] },
      { key: { type: 'BINARY', data: b64('bin-key') }, value: { type: 'BINARY', data: b64('raw bytes') } },
      { key: { type: 'JSON', data: 42 }, value: { type: 'STRING', data: 'plain text' }, timestamp: '2024-01-02T03:04:05.678Z' },
      { value: { data: [true, null] } },
    ];
    const answers = [];
    for (const record of records) answers.push(await call(`${v3}/topics/rest-single/records`, { body: record }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => [a.body.error_code, a.body.partition_id, a.body.offset])).toEqual([
      [200, 0, 0],
      [200, 0, 1],
      [200, 0, 2],
      [200, 0, 3],
    ]);
    expect(answers[0].body).toMatchObject({ cluster_id: clusterId, topic_name: 'rest-single', key: { type: 'STRING', size: 6 }, value: { type: 'JSON', size: 15 } });
    expect(answers[2].body.timestamp).toBe('2024-01-02T03:04:05.678Z');
    expect(answers[3].body.key).toBeNull();

    const lines = (await kcat(['-C', '-t', 'rest-single', '-e', '-Z', '-f', '%k|%s|%h|%T\n'])).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^user-1\|\{"n":1,"s":"x"\}\|trace=abc\|\d+$/);
    expect(lines[1]).toMatch(/^bin-key\|raw bytes\|\|\d+$/);
    expect(lines[2]).toBe(`42|plain text||${Date.parse('2024-01-02T03:04:05.678Z')}`);
    expect(lines[3]).toMatch(/^NULL\|\[true,null\]\|\|\d+$/);
  }, 60_000);

  it('answers a single record the same on its direct route as through express and Nest (where a trailing slash sends it)', async () => {
    await createTopic('rest-direct', 2, strictBase, { 'x-api-key': ALICE_KEY });
    const strictV3 = `${strictBase}/v3/clusters/${clusterId}`;
    const alice = { 'x-api-key': ALICE_KEY };
    const cases: { body: unknown; headers: Record<string, string>; topic?: string; cluster?: string }[] = [
      { body: { key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1 } }, partition_id: 1, headers: [{ name: 'h', value: b64('v') }] }, headers: alice },
      { body: { partition_id: 'x' }, headers: alice },
      { body: { value: { type: 'AVRO', data: {} } }, headers: alice },
      { body: { partition_id: 2, value: { data: 1 } }, headers: alice },
      { body: { value: { type: 'BINARY', data: 'a' } }, headers: alice },
      { body: [1, 2], headers: alice },
      { body: { value: { data: 1 } }, headers: {} },
      { body: { value: { data: 1 } }, headers: { 'x-api-key': 'wrong-key-0000' } },
      { body: { value: { data: 1 } }, headers: { authorization: `Bearer ${BOB_TOKEN}` } },
      { body: { value: { data: 1 } }, headers: alice, topic: 'no-such-topic' },
      { body: { value: { data: 1 } }, headers: alice, cluster: 'no-such-cluster' },
    ];
    const comparable = ({ status, body }: Answer) => ({ status, body: body.error_code === 200 ? { ...body, offset: typeof body.offset, timestamp: typeof body.timestamp } : body });
    for (const { body, headers, topic = 'rest-direct', cluster = clusterId } of cases) {
      const path = `${strictBase}/v3/clusters/${cluster}/topics/${topic}/records`;
      const direct = await call(path, { body, headers });
      const throughNest = await call(`${path}/`, { body, headers });
      expect([body, headers, comparable(direct)]).toEqual([body, headers, comparable(throughNest)]);
    }
    const challenge = await fetch(`${strictV3}/topics/rest-direct/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([challenge.status, challenge.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="tributary"']);
    // both ways reach the same partition in order, and kcat reads both records
    const lines = (await kcat(['-C', '-t', 'rest-direct', '-p', '1', '-e', '-f', '%k|%s|%h\n'])).trim().split('\n');
    expect(lines).toEqual(['k|{"n":1}|h=v', 'k|{"n":1}|h=v']);
    // malformed JSON is a 400 either way (the wording is each parser's)
    const malformed = async (path: string) => (await call(path, { body: '{"value":', headers: { ...alice, 'content-type': 'application/json' } })).body.error_code;
    expect([await malformed(`${strictV3}/topics/rest-direct/records`), await malformed(`${strictV3}/topics/rest-direct/records/`)]).toEqual([400, 400]);
    // a client that leaves mid-body gets nothing and costs the gateway nothing: the next record goes through
    const leaving = net.connect(Number(new URL(strictBase).port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => leaving.once('connect', resolve).once('error', reject));
    leaving.write(`POST /v3/clusters/${clusterId}/topics/rest-direct/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: ${ALICE_KEY}\r\nContent-Length: 100\r\n\r\n{"value":`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaving.destroy();
    expect((await call(`${strictV3}/topics/rest-direct/records`, { body: { partition_id: 1, value: { data: 'after' } }, headers: alice })).body).toMatchObject({ error_code: 200, partition_id: 1, offset: 2 });
  }, 60_000);

  it('streams newline-delimited records over one chunked request, each answered in order as soon as it is produced', async () => {
    await createTopic('rest-stream', 1);
    const stream = openStream(`${v3}/topics/rest-stream/records`);
    stream.write(`${JSON.stringify({ value: { type: 'STRING', data: 'first' } })}\n`);
    const response = await stream.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = lineReader(response);
    // the first report comes while the request body is still open: the client may wait for each one
    expect(JSON.parse(await lines.next())).toMatchObject({ error_code: 200, offset: 0 });
    stream.write('{not json\n');
    stream.write(`${JSON.stringify({ partition_id: 'x', value: { data: 1 } })}\n`);
    stream.write(`${JSON.stringify({ value: { type: 'BINARY', data: '@@' } })}\n\n`);
    stream.write([1, 2, 3].map((n) => JSON.stringify({ key: { type: 'STRING', data: `k${n}` }, value: { data: n } })).join('\n'));
    stream.end();
    const answered = [await lines.next(), await lines.next(), await lines.next()];
    const reports = [...answered, ...(await lines.rest())].map((line) => JSON.parse(line));
    expect(reports.map((r) => r.error_code)).toEqual([400, 400, 422, 200, 200, 200]);
    expect(reports[0].message).toContain('not valid JSON');
    expect(reports[1].message).toContain('partition_id');
    expect(reports[2].message).toContain('value.data');
    expect(reports.slice(3).map((r) => r.offset)).toEqual([1, 2, 3]);
    expect((await kcat(['-C', '-t', 'rest-stream', '-e', '-f', '%k=%s\n'])).trim().split('\n')).toEqual(['=first', 'k1=1', 'k2=2', 'k3=3']);
  }, 60_000);

  it('takes a stream declared as application/x-ndjson the same way, chunked or with a Content-Length; other media types stay 415', async () => {
    await createTopic('rest-ndjson', 1);
    const records = `${v3}/topics/rest-ndjson/records`;
    const line = (value: string) => `${JSON.stringify({ key: { type: 'STRING', data: value }, value: { type: 'STRING', data: value } })}\n`;
    // chunked, written line by line: each report comes while the body is still open
    const stream = openStream(records, { 'content-type': 'application/x-ndjson' });
    stream.write(line('a'));
    const response = await stream.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = lineReader(response);
    expect(JSON.parse(await lines.next())).toMatchObject({ error_code: 200, offset: 0 });
    stream.write(`${line('b')}{"value":\n`);
    expect(JSON.parse(await lines.next())).toMatchObject({ error_code: 200, offset: 1 });
    stream.end();
    const rest = (await lines.rest()).map((l) => JSON.parse(l));
    expect(rest).toEqual([{ error_code: 400, message: expect.stringContaining('not valid JSON') }]);

    // a whole NDJSON body with a Content-Length (curl --data-binary @records.ndjson), with a charset parameter
    const whole = await fetch(records, { method: 'POST', headers: { 'content-type': 'application/x-ndjson; charset=utf-8' }, body: line('c') + JSON.stringify({ value: { type: 'BINARY', data: '@@' } }) + '\n' + line('d') });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toContain('application/x-ndjson');
    const reports = (await whole.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(reports.map((r) => [r.error_code, r.offset])).toEqual([[200, 2], [422, undefined], [200, 3]]);
    expect((await kcat(['-C', '-t', 'rest-ndjson', '-e', '-f', '%k=%s\n'])).trim().split('\n')).toEqual(['a=a', 'b=b', 'c=c', 'd=d']);

    // NDJSON is only for produce streams, and a stream still needs a JSON media type
    const batch = await call(`${v3}/topics/rest-ndjson/records:batch`, { body: line('e'), headers: { 'content-type': 'application/x-ndjson' } });
    expect(batch.body).toEqual({ error_code: 415, message: 'the body must be application/json, not application/x-ndjson' });
    const plain = openStream(records, { 'content-type': 'text/plain' });
    plain.write(line('f'));
    plain.end();
    const refused = await plain.response;
    expect(refused.status).toBe(415);
    expect(await refused.json()).toEqual({ error_code: 415, message: 'the body must be application/json or application/x-ndjson, not text/plain' });
    expect((await call(records, { body: line('g'), headers: { 'content-type': 'application/jsonl' } })).status).toBe(415);
  }, 60_000);

  it('produces a batch: 207 with a result per entry, in order per partition; kcat reads every record', async () => {
    await createTopic('rest-batch', 3);
    const entries = Array.from({ length: 2000 }, (_, i) => ({ id: `e${i}`, key: { type: 'STRING', data: `k${i % 50}` }, value: { data: { i } } }));
    const answer = await call(`${v3}/topics/rest-batch/records:batch`, { body: { entries: [...entries, { id: 'bad', value: { type: 'BINARY', data: 'not base64!' } }] } });
    expect(answer.status).toBe(207);
    expect(answer.body.failures).toEqual([{ id: 'bad', error_code: 422, message: 'value.data: not valid base64' }]);
    expect(answer.body.successes).toHaveLength(2000);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.successes[0]).toEqual({
      id: 'e0',
      cluster_id: clusterId,
      topic_name: 'rest-batch',
      partition_id: expect.any(Number),
      offset: 0,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      key: { type: 'STRING', size: 2 },
      value: { type: 'JSON', size: 7 },
    });
    // offsets of each partition are dense and follow the entries' order
    const byPartition = new Map<number, number[]>();
    for (const success of answer.body.successes) byPartition.set(success.partition_id, [...(byPartition.get(success.partition_id) ?? []), success.offset]);
    for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => i));
    expect(byPartition.size).toBe(3);

    const consumed = (await kcat(['-C', '-t', 'rest-batch', '-e', '-f', '%k %s\n'])).trim().split('\n');
    expect(consumed).toHaveLength(2000);
    expect(new Set(consumed)).toEqual(new Set(entries.map((e, i) => `${e.key.data} {"i":${i}}`)));

    const duplicate = await call(`${v3}/topics/rest-batch/records:batch`, { body: { entries: [{ id: 'a' }, { id: 'a' }] } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.message).toContain('entries.1.id');
  }, 60_000);

  it('reads records kcat produced by partition and offset range, and waits at the end of the log for new ones', async () => {
    await createTopic('rest-read', 1);
    await kcat(['-P', '-t', 'rest-read', '-K', ':', '-H', 'origin=kcat'], ['k1:v1', 'k2:v2', 'k3:v3', '4:{"n":4}', 'k5:v5'].join('\n') + '\n');
    const read = (query: string) => call(`${base}/v1/topics/rest-read/partitions/0/records?${query}`);

    const first = await read('offset=0&max_records=3&format=string');
    expect(first.status).toBe(200);
    expect(first.body.records.map((r: { key: string; value: string; offset: number }) => [r.offset, r.key, r.value])).toEqual([
      [0, 'k1', 'v1'],
      [1, 'k2', 'v2'],
      [2, 'k3', 'v3'],
    ]);
    expect(first.body.records[0].headers).toEqual([{ name: 'origin', value: b64('kcat') }]);
    expect(first.body.next_offset).toBe(3);
    const second = await read(`offset=${first.body.next_offset}&format=binary`);
    expect(second.body.records.map((r: { key: string; value: string }) => [r.key, r.value])).toEqual([
      [b64('4'), b64('{"n":4}')],
      [b64('k5'), b64('v5')],
    ]);
    expect([second.body.next_offset, second.body.high_watermark]).toEqual([5, 5]);
    expect((await read('offset=3&max_records=1&format=json')).body.records[0]).toMatchObject({ key: 4, value: { n: 4 } });
    const notJson = await read('offset=0&format=json');
    expect(notJson.status).toBe(422);
    expect(notJson.body.message).toContain('format');

    const offsets = await call(`${base}/v1/topics/rest-read/offsets`);
    expect(offsets.body.partitions).toEqual([{ partition_id: 0, earliest: 0, latest: 5 }]);

    const waiting = read('offset=5&timeout_ms=15000&format=string');
    await new Promise((r) => setTimeout(r, 500));
    expect((await call(`${v3}/topics/rest-read/records`, { body: { value: { type: 'STRING', data: 'late' } } })).status).toBe(200);
    const late = await waiting;
    expect(late.body.records.map((r: { value: string }) => r.value)).toEqual(['late']);

    expect((await read('offset=99')).status).toBe(416);
    expect((await call(`${base}/v1/topics/rest-read/partitions/7/records`)).status).toBe(404);
  }, 60_000);

  it('runs a consumer instance through its life: create, subscribe, poll, commit, lag, delete', async () => {
    await createTopic('rest-group', 2);
    const entries = Array.from({ length: 20 }, (_, i) => ({ id: String(i), key: { type: 'STRING', data: `k${i}` }, value: { type: 'STRING', data: `v${i}` } }));
    expect((await call(`${v3}/topics/rest-group/records:batch`, { body: { entries } })).body.successes).toHaveLength(20);
    const group = `${base}/v1/consumer-groups/rest-g1/instances`;

    const created = await call(group, { body: { name: 'member-1', auto_offset_reset: 'earliest', format: 'string' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ group_id: 'rest-g1', instance_id: 'member-1', base_uri: `${group}/member-1`, format: 'string' });
    expect((await call(`${group}/member-1/records`)).status).toBe(409);
    expect((await call(`${group}/member-1/subscription`, { body: { topics: ['rest-group'] } })).status).toBe(204);
    expect((await call(`${group}/member-1/subscription`)).body).toEqual({ topics: ['rest-group'] });

    const polled: { value: string; partition_id: number; offset: number }[] = [];
    await until(
      async () => {
        polled.push(...(await call(`${group}/member-1/records?timeout_ms=1000&max_records=7`)).body.records);
        return polled.length;
      },
      (n) => n >= 20,
      30_000,
      '20 records polled',
    );
    expect(polled.map((r) => r.value).sort()).toEqual(entries.map((e) => e.value.data).sort());
    expect((await call(`${group}/member-1/assignments`)).body.partitions).toHaveLength(2);

    const committed = await call(`${group}/member-1/offsets`, { method: 'POST' });
    expect(committed.status).toBe(200);
    const ends = new Map<number, number>();
    for (const record of polled) ends.set(record.partition_id, Math.max(ends.get(record.partition_id) ?? 0, record.offset + 1));
    expect(new Map(committed.body.offsets.map((o: { partition_id: number; offset: number }) => [o.partition_id, o.offset]))).toEqual(ends);

    const lags = await call(`${v3}/consumer-groups/rest-g1/lags`);
    expect(lags.body.data.map((l: { partition_id: number; current_offset: number; log_end_offset: number; lag: number }) => [l.partition_id, l.current_offset, l.log_end_offset, l.lag]).sort()).toEqual(
      [...ends].map(([partition, end]) => [partition, end, end, 0]).sort(),
    );
    const summary = await call(`${v3}/consumer-groups/rest-g1/lag-summary`);
    expect(summary.body).toMatchObject({ total_lag: 0, max_lag: 0, consumer_group_id: 'rest-g1' });
    const members = await call(`${v3}/consumer-groups/rest-g1/consumers`);
    expect(members.body.data).toHaveLength(1);
    const assignments = await call(`${v3}/consumer-groups/rest-g1/consumers/${encodeURIComponent(members.body.data[0].consumer_id)}/assignments`);
    expect(assignments.body.data.map((a: { partition_id: number }) => a.partition_id).sort()).toEqual([0, 1]);
    expect((await call(`${v3}/consumer-groups/rest-g1`)).body).toMatchObject({ state: 'Stable', partition_assignor: 'range', is_simple: false });

    // two more records: the lag counts them, the next poll returns them
    await call(`${v3}/topics/rest-group/records:batch`, { body: { entries: [{ id: 'a', value: { data: 1 } }, { id: 'b', value: { data: 2 } }] } });
    expect((await call(`${v3}/consumer-groups/rest-g1/lag-summary`)).body.total_lag).toBe(2);

    expect((await call(`${group}/member-1`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${group}/member-1`)).status).toBe(404);
    await until(async () => (await call(`${v3}/consumer-groups/rest-g1`)).body.state, (state) => state === 'Empty', 20_000, 'the group to empty');
  }, 60_000);

  it('expires consumer instances left idle: they leave their group and free their name', async () => {
    const group = `${strictBase}/v1/consumer-groups/rest-idle/instances`;
    const headers = { 'x-api-key': ALICE_KEY };
    await createTopic('rest-idle', 1, strictBase, headers);
    expect((await call(group, { body: { name: 'sleepy' }, headers })).status).toBe(201);
    expect((await call(`${group}/sleepy/subscription`, { body: { topics: ['rest-idle'] }, headers })).status).toBe(204);
    // watched through the other gateway and by name, so the checks themselves do not keep the instance in use
    await until(async () => (await call(`${v3}/consumer-groups/rest-idle`)).body.state, (state) => state === 'Stable', 20_000, 'the instance to join its group');
    await until(async () => (await call(`${v3}/consumer-groups/rest-idle`)).body.state, (state) => state === 'Empty', 20_000, 'the idle instance to leave its group');
    expect((await call(group, { body: { name: 'sleepy' }, headers })).status).toBe(201);
  }, 60_000);

  it('serves the cluster, its brokers, topics, partitions, replicas and topic configs', async () => {
    const clusters = await call(`${base}/v3/clusters`);
    expect(clusters.body).toMatchObject({ kind: 'KafkaClusterList', data: [{ kind: 'KafkaCluster', cluster_id: clusterId, topics: { related: `${v3}/topics` } }] });
    expect((await call(v3)).body.metadata).toEqual({ self: v3, resource_name: `crn:///kafka=${clusterId}` });
    const broker = cluster.brokers[0];
    expect((await call(`${v3}/brokers`)).body.data).toEqual([expect.objectContaining({ broker_id: broker.id, host: '127.0.0.1', port: broker.ports.kafka })]);
    expect((await call(`${v3}/brokers/${broker.id}`)).body.broker_id).toBe(broker.id);
    expect((await call(`${v3}/brokers/999`)).status).toBe(404);

    await createTopic('rest-admin', 2);
    const topics = await call(`${v3}/topics`);
    expect(topics.body.data.map((t: { topic_name: string }) => t.topic_name)).toEqual(expect.arrayContaining(['rest-admin', 'rest-single']));
    expect((await call(`${v3}/topics/rest-admin`)).body).toMatchObject({ kind: 'KafkaTopic', topic_name: 'rest-admin', partitions_count: 2, replication_factor: 1, is_internal: false });
    expect((await call(`${v3}/topics/rest-admin/partitions`)).body.data.map((p: { partition_id: number }) => p.partition_id)).toEqual([0, 1]);
    expect((await call(`${v3}/topics/rest-admin/partitions/1`)).body.leader).toEqual({ related: `${v3}/topics/rest-admin/partitions/1/replicas/${broker.id}` });
    expect((await call(`${v3}/topics/rest-admin/partitions/1/replicas`)).body.data).toEqual([expect.objectContaining({ broker_id: broker.id, is_leader: true, is_in_sync: true })]);

    const configs = `${v3}/topics/rest-admin/configs`;
    expect((await call(`${configs}/retention.ms`, { method: 'PUT', body: { value: '3600000' } })).status).toBe(204);
    expect((await call(`${configs}/retention.ms`)).body).toMatchObject({ name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG', is_default: false });
    expect((await call(`${configs}:alter`, { body: { data: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', operation: 'DELETE' }] } })).status).toBe(204);
    const all = (await call(configs)).body.data as { name: string; value: string; is_default: boolean }[];
    expect(all.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'compact', is_default: false });
    expect(all.find((c) => c.name === 'retention.ms')).toMatchObject({ is_default: true });
    expect((await call(`${configs}/cleanup.policy`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${configs}/cleanup.policy`)).body.is_default).toBe(true);

    expect((await call(`${v3}/topics/rest-admin`, { method: 'DELETE' })).status).toBe(204);
    await until(async () => (await call(`${v3}/topics/rest-admin`)).status, (status) => status === 404, 10_000, 'the deleted topic to be gone');
  }, 60_000);

  it('answers bad requests with a status and a message naming the problem, never a stack trace', async () => {
    await createTopic('rest-errors', 1);
    const produce = (topic: string, body: unknown, headers?: Record<string, string>, gateway = v3) => call(`${gateway}/topics/${topic}/records`, { body, headers });
    // 400 naming the field
    const badField = await produce('rest-errors', { partition_id: 'x' });
    expect([badField.status, badField.body.error_code]).toEqual([400, 400]);
    expect(badField.body.message).toMatch(/^partition_id: /);
    expect((await call(`${v3}/topics`, { body: { partitions_count: 1 } })).body.message).toContain('topic_name');
    expect((await call(`${base}/v1/topics/rest-errors/partitions/0/records?max_records=0`)).body.message).toContain('max_records');
    expect((await produce('rest-errors', { value: { type: 'AVRO', data: {} } })).body).toEqual({ error_code: 400, message: expect.stringContaining('schema registry') });
    expect((await produce('rest-errors', '{"value":', { 'content-type': 'application/json' })).status).toBe(400);
    // 404 unknown cluster, topic, partition
    expect((await call(`${base}/v3/clusters/nope/topics`)).body).toEqual({ error_code: 404, message: 'cluster nope not found' });
    expect((await produce('no-such-topic', { value: { data: 1 } })).status).toBe(404);
    expect((await call(`${v3}/topics/no-such-topic`)).status).toBe(404);
    expect((await call(`${v3}/consumer-groups/no-such-group`)).status).toBe(404);
    // 409, 415, 422
    expect((await call(`${v3}/topics`, { body: { topic_name: 'rest-errors', partitions_count: 1 } })).status).toBe(409);
    expect((await call(`${v3}/topics/rest-errors/records`, { body: 'value=1', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await produce('rest-errors', { partition_id: 5, value: { data: 1 } })).body).toEqual({ error_code: 422, message: expect.stringMatching(/^partition_id: topic rest-errors has 1 partitions/) });
    expect((await produce('rest-errors', { value: { type: 'BINARY', data: 'a' } })).status).toBe(422);

    // 401 and 403 on the gateway with credentials and ACLs
    const strictV3 = `${strictBase}/v3/clusters/${clusterId}`;
    const missing = await call(strictV3);
    expect(missing).toMatchObject({ status: 401, body: { error_code: 401 } });
    expect((await call(strictV3, { headers: { 'x-api-key': 'wrong-key-0000' } })).status).toBe(401);
    expect((await call(strictV3, { headers: { authorization: 'Bearer wrong-token-000' } })).status).toBe(401);
    expect((await call(strictV3, { headers: { authorization: `Bearer ${BOB_TOKEN}` } })).status).toBe(200);
    const forbidden = await produce('rest-errors', { value: { data: 1 } }, { authorization: `Bearer ${BOB_TOKEN}` }, strictV3);
    expect(forbidden.body).toEqual({ error_code: 403, message: 'User:bob may not write topic rest-errors' });
    expect((await call(`${strictV3}/topics`, { body: { topic_name: 'bob-topic' }, headers: { authorization: `Bearer ${BOB_TOKEN}` } })).status).toBe(403);
    expect((await call(`${strictBase}/v1/topics/other/offsets`, { headers: { authorization: `Bearer ${BOB_TOKEN}` } })).status).toBe(403);
    expect((await call(`${strictBase}/v1/topics/rest-errors/offsets`, { headers: { authorization: `Bearer ${BOB_TOKEN}` } })).status).toBe(200);
    expect((await produce('rest-errors', { value: { data: 'from alice' } }, { 'x-api-key': ALICE_KEY }, strictV3)).status).toBe(200);

    // 413 for a body over the limit, and for one streamed record over it
    const tooLarge = await produce('rest-errors', { value: { type: 'STRING', data: 'x'.repeat(STRICT_BODY_LIMIT) } }, { 'x-api-key': ALICE_KEY }, strictV3);
    expect(tooLarge.body).toEqual({ error_code: 413, message: `the request body is larger than the limit of ${STRICT_BODY_LIMIT} bytes` });
    const stream = openStream(`${strictV3}/topics/rest-errors/records`, { 'x-api-key': ALICE_KEY });
    stream.write(`${JSON.stringify({ value: { type: 'STRING', data: 'y'.repeat(STRICT_BODY_LIMIT) } })}\n${JSON.stringify({ value: { type: 'STRING', data: 'small' } })}\n`);
    stream.end();
    const reports = (await lineReader(await stream.response).rest()).map((line) => JSON.parse(line));
    expect(reports.map((r) => r.error_code)).toEqual([413, 200]);
  }, 60_000);

  it('drives the cluster through the generated REST SDK', async () => {
    const alice = rest.createGatewayClient({ baseUrl: strictBase, apiKey: ALICE_KEY });
    const clusters = await rest.listClusters({ client: alice, throwOnError: true });
    const cluster_id = clusters.data.data[0].cluster_id;
    expect(cluster_id).toBe(clusterId);

    const created = await rest.createTopic({ client: alice, path: { cluster_id }, body: { topic_name: 'rest-sdk', partitions_count: 1, replication_factor: 1 }, throwOnError: true });
    expect(created.data.partitions_count).toBe(1);
    const batch = await rest.produceRecordBatch({
      client: alice,
      path: { cluster_id, topic_name: 'rest-sdk' },
      body: { entries: ['a', 'b', 'c'].map((v, i) => ({ id: String(i), value: { type: 'STRING', data: v } })) },
      throwOnError: true,
    });
    expect(batch.data.successes.map((s) => s.offset)).toEqual([0, 1, 2]);
    const single = await rest.produceRecord({ client: alice, path: { cluster_id, topic_name: 'rest-sdk' }, body: { key: { type: 'STRING', data: 'k' }, value: { data: { d: 1 } } }, throwOnError: true });
    expect(single.data.offset).toBe(3);

    const read = await rest.readPartitionRecords({ client: alice, path: { topic_name: 'rest-sdk', partition_id: 0 }, query: { offset: 1, format: 'string' }, throwOnError: true });
    expect(read.data.records.map((r) => r.value)).toEqual(['b', 'c', '{"d":1}']);

    const instance = await rest.createConsumerInstance({ client: alice, path: { group_id: 'rest-sdk-group' }, body: { auto_offset_reset: 'earliest', format: 'string' }, throwOnError: true });
    const ids = { group_id: 'rest-sdk-group', instance_id: instance.data.instance_id };
    await rest.subscribeConsumerInstance({ client: alice, path: ids, body: { topics: ['rest-sdk'] }, throwOnError: true });
    const values: unknown[] = [];
    await until(
      async () => {
        const polled = await rest.pollConsumerInstance({ client: alice, path: ids, query: { timeout_ms: 1000 }, throwOnError: true });
        values.push(...polled.data.records.map((r) => r.value));
        return values.length;
      },
      (n) => n >= 4,
      30_000,
      'the SDK consumer to poll 4 records',
    );
    expect(values).toEqual(['a', 'b', 'c', '{"d":1}']);
    await rest.commitConsumerInstanceOffsets({ client: alice, path: ids, throwOnError: true });
    const summary = await rest.getConsumerLagSummary({ client: alice, path: { cluster_id, consumer_group_id: 'rest-sdk-group' }, throwOnError: true });
    expect(summary.data.total_lag).toBe(0);
    await rest.deleteConsumerInstance({ client: alice, path: ids, throwOnError: true });

    // errors come back typed, with the gateway's error body
    const unknown = await rest.getTopic({ client: alice, path: { cluster_id, topic_name: 'no-such-topic' } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error?.error_code).toBe(404);
    const bob = rest.createGatewayClient({ baseUrl: strictBase, bearerToken: BOB_TOKEN });
    const denied = await rest.produceRecord({ client: bob, path: { cluster_id, topic_name: 'rest-sdk' }, body: { value: { data: 1 } } });
    expect(denied.error).toEqual({ error_code: 403, message: 'User:bob may not write topic rest-sdk' });
  }, 60_000);
});
