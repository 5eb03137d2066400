import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

/** The gateway's limit on a body, and so on one streamed record (the smallest it takes). */
const MAX_RECORD_BYTES = 1024;
/** The longest any one wait of these tests may take. */
const STEP_TIMEOUT_MS = 20_000;

interface Report {
  error_code: number;
  message?: string;
  partition_id?: number;
  offset?: number;
}

/**
 * A chunked POST (Transfer-Encoding: chunked, as curl sends a file with that header) whose body
 * the test writes piece by piece, reading the report lines as they come.
 */
function openChunkedPost(url: string): { write: (bytes: Buffer) => Promise<void>; end: () => void; nextReport: () => Promise<Report>; allReports: () => Promise<Report[]> } {
  const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
  const lines: string[] = [];
  let buffered = '';
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const woken = () => new Promise<void>((resolve) => (wake = resolve));
  request.on('error', (error) => {
    failure = error;
    wake?.();
  });
  request.on('response', (response) => {
    if (response.statusCode !== 200 || !String(response.headers['content-type']).includes('application/x-ndjson')) failure = new Error(`answered ${response.statusCode} ${response.headers['content-type']}`);
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      buffered += text;
      for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
        lines.push(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
      wake?.();
    });
    response.on('end', () => {
      ended = true;
      wake?.();
    });
  });
  const waitFor = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (!done()) {
      if (failure) throw failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}; reports so far: ${lines.join(' ')}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken(), new Promise((resolve) => (timer = setTimeout(resolve, remaining)))]);
      clearTimeout(timer);
    }
  };
  let read = 0;
  return {
    write: (bytes) => new Promise((resolve, reject) => request.write(bytes, (error) => (error ? reject(error) : resolve()))),
    end: () => request.end(),
    nextReport: async () => {
      await waitFor(() => lines.length > read, 'a report');
      return JSON.parse(lines[read++]) as Report;
    },
    allReports: async () => {
      await waitFor(() => ended, 'the end of the answer');
      return lines.map((line) => JSON.parse(line) as Report);
    },
  };
}

/** Writes `body` in pieces of `size` bytes (multibyte characters cut across pieces), each one its own HTTP chunk. */
async function writeInPieces(stream: { write: (bytes: Buffer) => Promise<void> }, body: string, size: number): Promise<void> {
  const bytes = Buffer.from(body);
  for (let at = 0; at < bytes.length; at += size) await stream.write(bytes.subarray(at, at + size));
}

/** The REST Proxy's streaming produce (one chunked POST, records back to back or pretty-printed) against a controller, a broker and the gateway as processes. */
describe('gateway REST produce streams of concatenated JSON records', () => {
  let cluster: LocalCluster;
  let v3: string;

  const kcat = async (topic: string): Promise<{ key: string; value: string }[]> => {
    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%k\t%s\n'], { timeout: 30_000 });
    return stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [key, value] = line.split('\t');
        return { key, value };
      });
  };

  const createTopic = async (name: string) => {
    const response = await fetch(`${v3}/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic_name: name, partitions_count: 1, replication_factor: 1 }) });
    expect(response.status).toBe(201);
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true, gatewayArgs: ['--max-body-bytes', String(MAX_RECORD_BYTES)] });
    const base = `http://127.0.0.1:${cluster.gateway!.httpPort}`;
    const clusters = (await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] };
    v3 = `${base}/v3/clusters/${clusters.data[0].cluster_id}`;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('answers records sent back to back and pretty-printed, in 5-byte chunks, one report each in order, bad ones included; kcat reads exactly the good ones', async () => {
    await createTopic('stream-concatenated');
    const good = [
      { key: { type: 'STRING', data: 'k1' }, value: { type: 'JSON', data: { note: 'braces } { [ and "quotes" \\ inside', text: 'é 中文 😀' } } },
      { key: { type: 'STRING', data: 'k2' }, value: { type: 'STRING', data: '}{' } },
      { key: { type: 'STRING', data: 'k3' }, value: { type: 'JSON', data: { nested: { deeper: [1, { deepest: true }] } } } },
      { key: { type: 'STRING', data: 'k4' }, value: { type: 'STRING', data: 'after the bad ones' } },
      { key: { type: 'STRING', data: 'k5' }, value: { type: 'JSON', data: [null, -1.5e3] } },
    ];
    const body = [
      JSON.stringify(good[0]),
      JSON.stringify(good[1]), // right after the first, nothing between them
      `\n${JSON.stringify(good[2], null, 2)}\n`,
      '{"value":{"data":1},,"key":{"data":"x"}}', // not JSON; its brackets balance
      '[{"value":{"data":2}}]\n', // JSON, but not a record
      JSON.stringify({ value: { type: 'STRING', data: 'x'.repeat(MAX_RECORD_BYTES) } }), // over the limit
      '{"value":{"type":"BINARY","data":"@@"}}', // a record, but not valid base64
      `\r\n\t${JSON.stringify(good[3], null, '\t')}`,
      JSON.stringify(good[4], null, 4),
    ].join('');
    const stream = openChunkedPost(`${v3}/topics/stream-concatenated/records`);
    await writeInPieces(stream, body, 5);
    stream.end();
    const reports = await stream.allReports();
    expect(reports.map((report) => report.error_code)).toEqual([200, 200, 200, 400, 400, 413, 422, 200, 200]);
    expect(reports.filter((report) => report.error_code === 200).map((report) => [report.partition_id, report.offset])).toEqual([0, 1, 2, 3, 4].map((offset) => [0, offset]));
    expect(reports[3].message).toBe("body: not valid JSON: unexpected ',' where a key should be at byte 21 of the record");
    expect(reports[4].message).toBe('body: a record must be a JSON object, not an array');
    expect(reports[5].message).toBe(`the record is larger than the limit of ${MAX_RECORD_BYTES} bytes`);
    expect(reports[6].message).toContain('value.data');

    const consumed = await kcat('stream-concatenated');
    expect(consumed.map(({ key }) => key)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(consumed.map(({ value }, i) => (good[i].value.type === 'JSON' ? JSON.parse(value) : value))).toEqual(good.map((record) => record.value.data));
  }, 60_000);

  it('reports a record as soon as its closing brace arrives, before anything follows it; a brace never closed makes the rest one 400', async () => {
    await createTopic('stream-live');
    const stream = openChunkedPost(`${v3}/topics/stream-live/records`);
    // no newline and no next record: the closing brace alone ends the record
    await writeInPieces(stream, '{"value":{"type":"STRING","data":"first"}}', 3);
    expect(await stream.nextReport()).toMatchObject({ error_code: 200, offset: 0 });
    await writeInPieces(stream, JSON.stringify({ value: { type: 'STRING', data: 'second' } }, null, 2), 3);
    expect(await stream.nextReport()).toMatchObject({ error_code: 200, offset: 1 });
    // an object left open, followed on the same line by records: nothing marks where the bad one ends
    await writeInPieces(stream, '{"value":{"data":1}{"value":{"type":"STRING","data":"lost"}}', 3);
    stream.end();
    expect(await stream.nextReport()).toEqual({ error_code: 400, message: expect.stringContaining("not valid JSON: unexpected '{' where ',' or '}' should be") });
    expect(await stream.allReports()).toHaveLength(3);
    expect((await kcat('stream-live')).map(({ value }) => value)).toEqual(['first', 'second']);
  }, 60_000);

  it('takes a file of pretty-printed records from curl --data-binary with Transfer-Encoding: chunked', async () => {
    await createTopic('stream-curl');
    const records = Array.from({ length: 20 }, (_, i) => ({ key: { type: 'STRING', data: `c${i}` }, value: { type: 'JSON', data: { i, text: `line ${i} {"quoted"}` } } }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-curl-'));
    try {
      const file = path.join(dir, 'records.json');
      fs.writeFileSync(file, records.map((record) => JSON.stringify(record, null, 2)).join('\n'));
      const { stdout } = await exec('curl', ['-sS', '--fail', '--max-time', '20', '-H', 'Content-Type: application/json', '-H', 'Transfer-Encoding: chunked', '--data-binary', `@${file}`, `${v3}/topics/stream-curl/records`], { timeout: 30_000 });
      const reports = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Report);
      expect(reports.map((report) => [report.error_code, report.offset])).toEqual(records.map((_, i) => [200, i]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const consumed = await kcat('stream-curl');
    expect(consumed.map(({ key, value }) => [key, JSON.parse(value)])).toEqual(records.map((record) => [record.key.data, record.value.data]));
  }, 60_000);
});
