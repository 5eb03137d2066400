/**
 * `npm run bench -- gateway-ws`: a controller, a broker and the gateway as real processes; 1,000
 * WebSocket subscribers (direct, from the earliest offset, one socket each) on one topic of
 * 100-byte records. Each run subscribes them all with no credit, then grants each the whole topic
 * at once and times until every subscriber has every record: aggregate delivery records/s. Also the
 * gateway's RSS (/proc) with the subscribers idle and its peak during delivery. Medians of several
 * runs (`--runs 3 --subscribers 1000 --records 5000`), every wait bounded. A report, not a test.
 */
import { WebSocket } from 'ws';
import { ClusterClient, Admin, Producer } from '@tributary/client';
import { LocalCluster } from '../cluster/local-cluster';
import { benchResult, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { rssMiB } from './lib/process-stats';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 3);
const SUBSCRIBERS = Number(args.get('subscribers') ?? 1000);
const RECORDS = Number(args.get('records') ?? 5000);
/** Sockets opened at once while subscribing (a burst of 1,000 upgrades would only measure the accept queue). */
const OPEN_CONCURRENCY = 50;
const PHASE_TIMEOUT_MS = 180_000;
/** Every delivery has exactly one of these: counting them counts records without parsing the frame. */
const RECORD_MARK = Buffer.from('"offset":');

interface Subscriber {
  socket: WebSocket;
  received: number;
  subscribed: boolean;
}

interface RunFigures {
  recordsPerSec: number;
  idleRssMiB: number;
  peakRssMiB: number;
}

function countMarks(frame: Buffer): number {
  let count = 0;
  // bounded by the frame's length: every match moves past itself
  for (let at = frame.indexOf(RECORD_MARK); at !== -1; at = frame.indexOf(RECORD_MARK, at + RECORD_MARK.length)) count++;
  return count;
}

async function until(done: () => boolean, what: string, timeoutMs = PHASE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function openSubscriber(url: string, topic: string): Promise<Subscriber> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const subscriber: Subscriber = { socket, received: 0, subscribed: false };
  socket.on('message', (data: Buffer) => {
    if (subscriber.subscribed) subscriber.received += countMarks(data);
    else if (data.includes('"subscribed"')) subscriber.subscribed = true;
    else throw new Error(`subscribe failed: ${data.toString()}`);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', id: 's', topics: [topic], from: 'earliest', credit: 0 }));
  return subscriber;
}

async function run(cluster: LocalCluster, client: ClusterClient, index: number): Promise<RunFigures> {
  const topic = `ws-bench-${index}`;
  await new Admin(client).createTopics([{ name: topic, partitions: 1, replicationFactor: 1 }]);
  const producer = new Producer(client, { acks: 1, lingerMs: 5 });
  const value = Buffer.alloc(100, 'x');
  // bounded: RECORDS / 1000 sends
  for (let sent = 0; sent < RECORDS; sent += 1000) await producer.send(topic, Array.from({ length: Math.min(1000, RECORDS - sent) }, () => ({ value })));
  await producer.close();

  const url = `ws://127.0.0.1:${cluster.gateway!.httpPort}/v1/ws`;
  const pid = cluster.gateway!.pid!;
  const subscribers: Subscriber[] = [];
  for (let opened = 0; opened < SUBSCRIBERS; opened += OPEN_CONCURRENCY) {
    subscribers.push(...(await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, SUBSCRIBERS - opened) }, () => openSubscriber(url, topic)))));
  }
  await until(() => subscribers.every((s) => s.subscribed), `${SUBSCRIBERS} subscriptions`);
  const idleRssMiB = rssMiB(pid).current;

  let peakRssMiB = idleRssMiB;
  const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, rssMiB(pid).current)), 50);
  const start = process.hrtime.bigint();
  for (const s of subscribers) s.socket.send(JSON.stringify({ type: 'credit', id: 's', records: RECORDS }));
  try {
    await until(() => subscribers.every((s) => s.received >= RECORDS), `every subscriber receiving ${RECORDS} records`);
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const total = subscribers.reduce((sum, s) => sum + s.received, 0);
  if (total !== SUBSCRIBERS * RECORDS) throw new Error(`received ${total} records, expected ${SUBSCRIBERS * RECORDS}`);
  await Promise.all(
    subscribers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.socket.once('close', () => resolve());
          s.socket.close();
        }),
    ),
  );
  return { recordsPerSec: total / seconds, idleRssMiB, peakRssMiB };
}

async function main(): Promise<void> {
  console.log(`# gateway WebSocket benchmark\n${machineLine()}\nruns: ${RUNS}, ${formatNumber(SUBSCRIBERS)} subscribers on one topic, ${formatNumber(RECORDS)} records of 100 B each, granted at once\n`);
  const cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
  const client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'ws-bench' });
  const runs: RunFigures[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const figures = await run(cluster, client, i);
      console.log(`run ${i + 1}: ${formatNumber(figures.recordsPerSec)} rec/s, gateway RSS ${formatNumber(figures.idleRssMiB)} MiB idle, ${formatNumber(figures.peakRssMiB)} MiB peak`);
      runs.push(figures);
      // time for the gateway to close the consumers of the sockets just closed, before the next run
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    await client.close();
    await cluster.stop();
  }
  const delivery = summarize(runs.map((r) => r.recordsPerSec));
  const peak = summarize(runs.map((r) => r.peakRssMiB));
  console.log(
    `\n${renderTable(
      ['figure', 'Tributary (median [range])', 'target', 'vs target'],
      [
        [`aggregate WebSocket delivery, ${formatNumber(SUBSCRIBERS)} subscribers`, `${formatSummary(delivery)} rec/s`, '>= 500,000 rec/s', `${formatNumber(delivery.median / 500_000, 2)}x`],
        [`gateway RSS, ${formatNumber(SUBSCRIBERS)} idle subscribers`, `${formatSummary(summarize(runs.map((r) => r.idleRssMiB)))} MiB`, '-', '-'],
        ['gateway RSS, peak during delivery', `${formatSummary(peak)} MiB`, '<= 500 MiB', `${formatNumber(peak.median / 500, 2)}x`],
      ],
    )}`,
  );
  console.log('\nThe subscribers (one process), the gateway, the broker and the controller share the 2 cores.');
  writeBenchResult(
    args.get('json'),
    benchResult('gateway-ws', `runs: ${RUNS}, ${formatNumber(SUBSCRIBERS)} WebSocket subscribers on one topic, ${formatNumber(RECORDS)} records of 100 B each, granted at once; subscribers, gateway, broker and controller share the cores`, [
      { figure: `aggregate WebSocket delivery, ${formatNumber(SUBSCRIBERS)} subscribers`, unit: 'rec/s', summary: delivery, target: { name: 'target', value: 500_000, better: 'higher' } },
      { figure: `gateway RSS, ${formatNumber(SUBSCRIBERS)} idle subscribers`, unit: 'MiB', summary: summarize(runs.map((r) => r.idleRssMiB)) },
      { figure: 'gateway RSS, peak during delivery', unit: 'MiB', summary: peak, target: { name: 'target', value: 500, better: 'lower' } },
    ]),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
