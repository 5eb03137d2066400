/**
 * `npm run bench -- gateway-rest`: a controller, a broker and the gateway as real processes.
 * 1. Batched REST produce: CONNECTIONS HTTP clients post `records:batch` requests of BATCH entries
 *    (100-byte STRING values) until RECORDS records are acknowledged: records/s.
 * 2. Single-record produce: SINGLE_CONNECTIONS HTTP clients each post one small record after the
 *    answer to the previous one, for SINGLE_SECONDS: requests/s (how far a POST per record goes).
 * 3. REST produce to WebSocket delivery: one WebSocket subscriber (direct, from latest, ample
 *    credit) while single records are posted at RATE records/s for LATENCY_SECONDS; each value
 *    carries its sequence number, so the latency of each record is its post time to its delivery.
 * Medians of several runs (`--runs 3`), every wait bounded. A report, not a test.
 */
import * as http from 'node:http';
import { WebSocket } from 'ws';
import { LocalCluster } from '../cluster/local-cluster';
import { LatencyHistogram } from '../perf/latency-histogram';
import { benchResult, Figure, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { benchOptions, positiveOption } from './lib/options';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = benchOptions(process.argv.slice(2));
const RUNS = positiveOption(args, 'runs', 3);
const RECORDS = positiveOption(args, 'records', 300_000);
const BATCH = positiveOption(args, 'batch', 1000);
const CONNECTIONS = positiveOption(args, 'connections', 4);
const RATE = positiveOption(args, 'rate', 1000);
const LATENCY_SECONDS = positiveOption(args, 'seconds', 10);
const SINGLE_CONNECTIONS = positiveOption(args, 'single-connections', 8);
const SINGLE_SECONDS = positiveOption(args, 'single-seconds', 5);
const PHASE_TIMEOUT_MS = 180_000;

/**
 * Keep-alive connections of node:http: the global fetch (undici) cost the benchmark process itself
 * ~1 ms of CPU per request and opened a connection per request in flight, so at 500 requests/s it,
 * not the gateway, was the bottleneck.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** POSTs `body` as JSON (a string is sent as it is: a load generator serializes a repeated body once). */
function post(url: string, body: unknown): Promise<unknown> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (response.statusCode! >= 300 && response.statusCode !== 207) reject(new Error(`POST ${url}: ${response.statusCode} ${text}`));
        else resolve(JSON.parse(text) as unknown);
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function createTopic(v3: string, name: string): Promise<void> {
  await post(`${v3}/topics`, { topic_name: name, partitions_count: 1, replication_factor: 1 });
}

async function batchedProduce(v3: string, topic: string): Promise<number> {
  const value = { type: 'STRING', data: 'x'.repeat(100) };
  const body = JSON.stringify({ entries: Array.from({ length: BATCH }, (_, i) => ({ id: String(i), value })) });
  let next = 0;
  const start = process.hrtime.bigint();
  // each client takes the next batch until RECORDS are sent: bounded by RECORDS / BATCH requests
  const client = async (): Promise<void> => {
    while (next < RECORDS) {
      next += BATCH;
      const answer = (await post(`${v3}/topics/${topic}/records:batch`, body)) as { successes: unknown[]; failures: unknown[] };
      if (answer.failures.length > 0 || answer.successes.length !== BATCH) throw new Error(`batch failed: ${JSON.stringify(answer.failures[0])}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  return (Math.ceil(RECORDS / BATCH) * BATCH) / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function singleProduce(v3: string, topic: string): Promise<number> {
  const url = `${v3}/topics/${topic}/records`;
  // the new topic's leader and metadata settle before the clock starts
  for (let i = 0; i < SINGLE_CONNECTIONS; i++) await post(url, { value: { type: 'STRING', data: 'warm-up' } });
  let answered = 0;
  const endMs = Date.now() + SINGLE_SECONDS * 1000;
  const start = process.hrtime.bigint();
  // closed loop: each client waits for its answer before the next post; bounded by SINGLE_SECONDS
  const client = async (): Promise<void> => {
    while (Date.now() < endMs) {
      await post(url, { value: { type: 'STRING', data: `record-${answered}` } });
      answered++;
    }
  };
  await Promise.all(Array.from({ length: SINGLE_CONNECTIONS }, client));
  return answered / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** How the paced records travel: a POST each, or lines of one chunked NDJSON stream (the REST Proxy's streaming mode). */
type ProduceMode = 'requests' | 'stream';

interface RecordSender {
  /** Sends record `i`; `acknowledged` runs when the gateway answers for it. */
  send(i: number, acknowledged: () => void): void;
  /** Resolves once every record sent was answered. */
  close(): Promise<void>;
}

function requestSender(url: string): RecordSender {
  const inFlight: Promise<void>[] = [];
  return {
    send: (i, acknowledged) => void inFlight.push(post(url, { value: { type: 'STRING', data: String(i) } }).then(acknowledged)),
    close: async () => void (await Promise.all(inFlight)),
  };
}

function streamSender(url: string): RecordSender {
  const waiting: (() => void)[] = []; // answers come in order: one line per record
  let head = 0;
  let partial = '';
  const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
  const done = new Promise<void>((resolve, reject) => {
    request.on('response', (response) => {
      if (response.statusCode !== 200) reject(new Error(`stream produce answered ${response.statusCode}`));
      response.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          if (!line.includes('"offset"')) reject(new Error(`stream produce failed: ${line}`));
          waiting[head++]();
        }
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  return {
    send: (i, acknowledged) => {
      waiting.push(acknowledged);
      request.write(`${JSON.stringify({ value: { type: 'STRING', data: String(i) } })}\n`);
    },
    close: async () => {
      request.end();
      await done;
    },
  };
}

async function produceToDelivery(v3: string, wsUrl: string, topic: string, mode: ProduceMode): Promise<{ delivery: LatencyHistogram; acknowledgement: LatencyHistogram }> {
  const total = RATE * LATENCY_SECONDS;
  const sentAt = new Array<bigint>(total);
  const latency = new LatencyHistogram();
  const acknowledgement = new LatencyHistogram();
  let delivered = 0;
  const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const subscribed = new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const now = process.hrtime.bigint();
      const frame = JSON.parse(data.toString()) as { type: string; records?: { value: string }[] };
      if (frame.type === 'subscribed') resolve();
      else if (frame.type === 'records') {
        for (const record of frame.records!) {
          latency.record(Number(now - sentAt[Number(record.value)]) / 1e6);
          delivered++;
        }
      } else reject(new Error(`unexpected frame ${data.toString()}`));
    });
  });
  socket.send(JSON.stringify({ type: 'subscribe', id: 'lat', topics: [topic], from: 'latest', credit: total }));
  await subscribed;

  const url = `${v3}/topics/${topic}/records`;
  const sender = mode === 'stream' ? streamSender(url) : requestSender(url);
  const start = process.hrtime.bigint();
  // paced: record i is sent at start + i / RATE seconds, whatever the previous answers took
  for (let i = 0; i < total; i++) {
    const due = start + BigInt(Math.round((i * 1e9) / RATE));
    const wait = Number(due - process.hrtime.bigint()) / 1e6;
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentNow = process.hrtime.bigint();
    sentAt[i] = sentNow;
    sender.send(i, () => acknowledgement.record(Number(process.hrtime.bigint() - sentNow) / 1e6));
  }
  await sender.close();
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (delivered < total) {
    if (Date.now() > deadline) throw new Error(`delivered ${delivered} of ${total} records`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  socket.close();
  return { delivery: latency, acknowledgement };
}

interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  ackP99Ms: number;
}

async function latencyRun(v3: string, wsUrl: string, topic: string, mode: ProduceMode): Promise<LatencyFigures> {
  const latencies = await produceToDelivery(v3, wsUrl, topic, mode);
  const delivery = latencies.delivery.summary();
  return { p50Ms: delivery.p50Ms, p99Ms: delivery.p99Ms, p999Ms: delivery.p999Ms, ackP99Ms: latencies.acknowledgement.summary().p99Ms };
}

const MODE_NAMES: Record<ProduceMode, string> = { requests: 'a POST per record', stream: 'one streamed NDJSON POST' };

async function main(): Promise<void> {
  console.log(
    `# gateway REST benchmark\n${machineLine()}\nruns: ${RUNS}; batched produce: ${formatNumber(RECORDS)} records of 100 B in batches of ${formatNumber(BATCH)} over ${CONNECTIONS} connections; ` +
      `single-record POSTs over ${SINGLE_CONNECTIONS} connections for ${SINGLE_SECONDS} s; REST -> WebSocket latency: ${formatNumber(RATE)} records/s for ${LATENCY_SECONDS} s, sent as ${MODE_NAMES.requests} and as ${MODE_NAMES.stream}\n`,
  );
  const cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
  const base = `http://127.0.0.1:${cluster.gateway!.httpPort}`;
  const wsUrl = `ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`;
  const produceRuns: number[] = [];
  const singleRuns: number[] = [];
  const latencyRuns: Record<ProduceMode, LatencyFigures[]> = { requests: [], stream: [] };
  try {
    const clusters = (await (await fetch(`${base}/v3/clusters`)).json()) as { data: { cluster_id: string }[] };
    const v3 = `${base}/v3/clusters/${clusters.data[0].cluster_id}`;
    for (let i = 0; i < RUNS; i++) {
      await createTopic(v3, `rest-bench-${i}`);
      const producePerSec = await batchedProduce(v3, `rest-bench-${i}`);
      produceRuns.push(producePerSec);
      await createTopic(v3, `rest-single-${i}`);
      const singlePerSec = await singleProduce(v3, `rest-single-${i}`);
      singleRuns.push(singlePerSec);
      let line = `run ${i + 1}: batched produce ${formatNumber(producePerSec)} rec/s; single-record POSTs ${formatNumber(singlePerSec)} req/s`;
      for (const mode of ['requests', 'stream'] as const) {
        await createTopic(v3, `rest-latency-${mode}-${i}`);
        const figures = await latencyRun(v3, wsUrl, `rest-latency-${mode}-${i}`, mode);
        latencyRuns[mode].push(figures);
        line += `; ${MODE_NAMES[mode]}: REST -> WebSocket p50 ${formatNumber(figures.p50Ms, 2)} ms, p99 ${formatNumber(figures.p99Ms, 2)} ms, acknowledgement p99 ${formatNumber(figures.ackP99Ms, 2)} ms`;
      }
      console.log(line);
    }
  } finally {
    await cluster.stop();
  }
  const produce = summarize(produceRuns);
  const figures: Figure[] = [
    { figure: 'REST batched produce, 100 B values', unit: 'rec/s', summary: produce, target: { name: 'target', value: 100_000, better: 'higher' } },
    { figure: `REST single-record produce, a POST per record, ${SINGLE_CONNECTIONS} connections`, unit: 'req/s', summary: summarize(singleRuns) },
  ];
  for (const mode of ['requests', 'stream'] as const) {
    const runs = latencyRuns[mode];
    figures.push(
      { figure: `REST produce -> WebSocket delivery p50 at ${formatNumber(RATE)} rec/s, ${MODE_NAMES[mode]}`, unit: 'ms', summary: summarize(runs.map((r) => r.p50Ms)), digits: 2 },
      { figure: `REST produce -> WebSocket delivery p99 at ${formatNumber(RATE)} rec/s, ${MODE_NAMES[mode]}`, unit: 'ms', summary: summarize(runs.map((r) => r.p99Ms)), digits: 2, target: { name: 'target', value: 20, better: 'lower' } },
      { figure: `REST produce -> WebSocket delivery p99.9, ${MODE_NAMES[mode]}`, unit: 'ms', summary: summarize(runs.map((r) => r.p999Ms)), digits: 2 },
      { figure: `REST produce acknowledgement p99 (acks=all), ${MODE_NAMES[mode]}`, unit: 'ms', summary: summarize(runs.map((r) => r.ackP99Ms)), digits: 2 },
    );
  }
  console.log(
    `\n${renderTable(
      ['figure', 'Tributary (median [range])', 'target', 'vs target'],
      figures.map((f) => [
        f.figure,
        `${formatSummary(f.summary, f.digits ?? 0)} ${f.unit}`,
        f.target ? `${f.target.better === 'higher' ? '>=' : '<='} ${formatNumber(f.target.value)} ${f.unit}` : '-',
        f.target ? `${formatNumber(f.summary.median / f.target.value, 2)}x` : '-',
      ]),
    )}`,
  );
  console.log('\nThe HTTP and WebSocket clients (one process), the gateway, the broker and the controller share the 2 cores.');
  writeBenchResult(
    args.get('json'),
    benchResult(
      'gateway-rest',
      `runs: ${RUNS}, ${formatNumber(RECORDS)} records in batches of ${formatNumber(BATCH)} over ${CONNECTIONS} connections; single-record POSTs over ${SINGLE_CONNECTIONS} connections for ${SINGLE_SECONDS} s; single records at ${formatNumber(RATE)} rec/s for ${LATENCY_SECONDS} s to one WebSocket subscriber, as a POST each and as one streamed POST; clients, gateway, broker and controller share the cores`,
      figures,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
