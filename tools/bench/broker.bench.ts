/**
 * `npm run bench -- broker`: one broker (and one controller) as real processes; a load client
 * pipelines pre-built Produce requests (64 KiB batches of 100-byte records, acks=1) over several
 * connections while a consumer fetches at the tail, then fetches everything again from the start.
 * Also: broker CPU per MB and peak RSS (/proc), kcat's own throughput, and the peer baselines of
 * ../shared/bench/peers in the same session (`--peers 0` skips them). Medians of several runs,
 * beside the targets of shared/BENCHMARKS.md. A report, not a test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KafkaConnection } from '@tributary/client';
import { encodeRecordBatch, readRecordBatches } from '@tributary/protocol';
import { LocalCluster } from '../cluster/local-cluster';
import { Figure, Reference, benchResult, single, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { PeerFigures, peersUnavailable, runPeers } from './lib/peers';
import { cpuSeconds, rssMiB } from './lib/process-stats';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 3);
const RECORDS_PER_RUN = Number(args.get('records') ?? 2_000_000);
const CONNECTIONS = Number(args.get('connections') ?? 4);
const IN_FLIGHT = Number(args.get('in-flight') ?? 8);
const PARTITIONS = CONNECTIONS;
const PEER_RUNS = Number(args.get('peers') ?? 3);

function batch64k(): { batch: Buffer; records: number } {
  const records = Math.floor((64 * 1024 - 61) / 108);
  return { batch: encodeRecordBatch(Array.from({ length: records }, (_, i) => ({ value: Buffer.alloc(100, i % 251) }))), records };
}

async function produceRun(bootstrap: { host: string; port: number }, topic: string): Promise<{ records: number; recordsPerSec: number; mbPerSec: number }> {
  const { batch, records } = batch64k();
  const requestsTotal = Math.ceil(RECORDS_PER_RUN / records);
  const connections = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const c = new KafkaConnection({ ...bootstrap, clientId: 'bench', maxInFlight: IN_FLIGHT });
      await c.connect();
      return c;
    }),
  );
  let sent = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    connections.map(async (connection, index) => {
      const inFlight = new Set<Promise<unknown>>();
      // bounded: each connection sends its share, IN_FLIGHT at a time
      while (sent < requestsTotal) {
        sent++;
        const request = connection
          .request(0, { acks: 1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: index % PARTITIONS, records: Buffer.from(batch) }] }] })
          .then((response) => {
            const code = response.responses[0]?.partitionResponses[0]?.errorCode;
            if (code !== 0) throw new Error(`produce failed with error ${code}`);
          })
          .finally(() => inFlight.delete(request));
        inFlight.add(request);
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const c of connections) c.close();
  return { records: sent * records, recordsPerSec: (sent * records) / seconds, mbPerSec: (sent * batch.length) / 2 ** 20 / seconds };
}

interface FetchOptions {
  /** stop once this many records arrived (tail) or when a fetch returns nothing new (from the start) */
  expectRecords?: number;
  maxWaitMs: number;
  deadlineMs: number;
}

/** Fetches every partition from offset 0 in a loop, walking batch headers only. */
async function fetchRun(bootstrap: { host: string; port: number }, topic: string, topicId: string, options: FetchOptions): Promise<{ recordsPerSec: number; mbPerSec: number }> {
  const connection = new KafkaConnection({ ...bootstrap, clientId: 'bench-fetch' });
  await connection.connect();
  const offsets = Array.from({ length: PARTITIONS }, () => 0);
  let bytes = 0;
  let records = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + options.deadlineMs;
  while (Date.now() < deadline && records < (options.expectRecords ?? Infinity)) {
    const response = await connection.request(1, {
      replicaId: -1,
      maxWaitMs: options.maxWaitMs,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      isolationLevel: 0,
      topics: [{ topic, topicId, partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 * 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })) }],
    });
    let progressed = false;
    for (const p of response.responses[0]?.partitions ?? []) {
      const data = p.records;
      if (!data || data.length === 0) continue;
      bytes += data.length;
      for (const batch of readRecordBatches(data)) {
        records += batch.count;
        offsets[p.partitionIndex] = batch.lastOffset + 1;
        progressed = true;
      }
    }
    if (!progressed && options.expectRecords === undefined) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  connection.close();
  if (options.expectRecords !== undefined && records < options.expectRecords) throw new Error(`tail fetch got ${records} of ${options.expectRecords} records before its deadline`);
  return { recordsPerSec: records / seconds, mbPerSec: bytes / 2 ** 20 / seconds };
}

/** kcat's own produce and consume throughput against the broker, for reference. */
function kcatReference(bootstrap: string, topic: string, records: number): { produce: number; consume: number } {
  const file = path.join(os.tmpdir(), `bench-kcat-${process.pid}.txt`);
  fs.writeFileSync(file, `${'x'.repeat(100)}\n`.repeat(records));
  try {
    const timed = (args: string[]) => {
      const start = process.hrtime.bigint();
      const result = spawnSync('kcat', ['-b', bootstrap, ...args], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
      if (result.status !== 0) throw new Error(`kcat ${args.join(' ')} failed: ${result.stderr?.toString().trim()}`);
      return Number(process.hrtime.bigint() - start) / 1e9;
    };
    const produce = records / timed(['-P', '-t', topic, '-p', '0', '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-l', file]);
    const consume = records / timed(['-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o']);
    return { produce, consume };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

interface Run {
  produce: { records: number; recordsPerSec: number; mbPerSec: number };
  tail: { recordsPerSec: number; mbPerSec: number };
  fromStart: { recordsPerSec: number; mbPerSec: number };
  cpuMsPerMb: number;
}

async function main(): Promise<void> {
  console.log(`# broker benchmark\n${machineLine()}\nruns: ${RUNS}, ${formatNumber(RECORDS_PER_RUN)} records of 100 B per run, 64 KiB batches, acks=1, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight\n`);
  const cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
  const brokerPid = cluster.brokers[0].pid;
  if (brokerPid === undefined) throw new Error('broker process has no pid');
  const runs: Run[] = [];
  let kcat = { produce: NaN, consume: NaN };
  try {
    const [host, port] = cluster.bootstrap.split(':');
    const bootstrap = { host, port: Number(port) };
    const admin = new KafkaConnection({ ...bootstrap, clientId: 'bench-admin' });
    await admin.connect();
    const createTopic = async (name: string, partitions: number) => {
      const created = await admin.request(19, { topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
      return created.topics[0]?.topicId ?? '';
    };
    for (let run = 0; run < RUNS; run++) {
      const topic = `bench-${run}`;
      const topicId = await createTopic(topic, PARTITIONS);
      const cpuBefore = cpuSeconds(brokerPid);
      const produce = await produceRun(bootstrap, topic);
      const cpu = cpuSeconds(brokerPid) - cpuBefore;
      const producedMb = (produce.records * 108) / 2 ** 20;
      const fromStart = await fetchRun(bootstrap, topic, topicId, { maxWaitMs: 0, deadlineMs: 120_000 });
      // again with a consumer at the tail while the producers write (they share the cores)
      const tailTopic = `bench-tail-${run}`;
      const tailTopicId = await createTopic(tailTopic, PARTITIONS);
      const tailing = fetchRun(bootstrap, tailTopic, tailTopicId, { expectRecords: produce.records, maxWaitMs: 100, deadlineMs: 120_000 });
      await produceRun(bootstrap, tailTopic);
      const tail = await tailing;
      runs.push({ produce, tail, fromStart, cpuMsPerMb: (cpu * 1000) / producedMb });
      console.error(`run ${run + 1}: produce ${formatNumber(produce.recordsPerSec)} rec/s, tail ${formatNumber(tail.recordsPerSec)} rec/s, from start ${formatNumber(fromStart.recordsPerSec)} rec/s`);
    }
    await createTopic('bench-kcat', 1);
    kcat = kcatReference(cluster.bootstrap, 'bench-kcat', Math.min(RECORDS_PER_RUN, 1_000_000));
    admin.close();
  } finally {
    const rss = rssMiB(brokerPid);
    await cluster.stop();
    if (runs.length > 0) report(runs, kcat, rss.peak);
  }
}

function report(runs: Run[], kcat: { produce: number; consume: number }, brokerPeakRssMiB: number): void {
  const peerRuns: PeerFigures[] = [];
  const unavailable = PEER_RUNS > 0 ? peersUnavailable() : 'skipped (--peers 0)';
  for (let i = 0; unavailable === null && i < PEER_RUNS; i++) {
    peerRuns.push(runPeers(300_000));
    console.error(`peers run ${i + 1}: ${JSON.stringify(peerRuns[i])}`);
  }
  const median = (values: (number | undefined)[]) => {
    const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    return present.length > 0 ? summarize(present).median : undefined;
  };
  const peers = {
    natsPublish: median(peerRuns.map((p) => p.natsPublish)),
    natsConsume: median(peerRuns.map((p) => p.natsConsume)),
    redisXadd: median(peerRuns.map((p) => p.redisXadd)),
    redisXread: median(peerRuns.map((p) => p.redisXread)),
  };
  const ingest = summarize(runs.map((r) => r.produce.recordsPerSec));
  const tail = summarize(runs.map((r) => r.tail.recordsPerSec));
  const fromStart = summarize(runs.map((r) => r.fromStart.recordsPerSec));
  const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${formatNumber(ours / theirs, 1)}x ${formatNumber(theirs)}` : 'n/a');
  const rows = [
    ['broker ingest, pre-built Produce requests', `${formatSummary(ingest)} rec/s (${formatNumber(summarize(runs.map((r) => r.produce.mbPerSec)).median)} MB/s)`, '>= 1,500,000 rec/s', `${formatNumber(ingest.median / 1_500_000, 2)}x`, ratio(ingest.median, peers.redisXadd), ratio(ingest.median, peers.natsPublish)],
    ['consumer at the tail while producing (bounded by the producers)', `${formatSummary(tail)} rec/s`, '-', '-', ratio(tail.median, peers.redisXread), ratio(tail.median, peers.natsConsume)],
    ['fetch from the start (page cache)', `${formatSummary(fromStart)} rec/s (${formatNumber(summarize(runs.map((r) => r.fromStart.mbPerSec)).median)} MB/s)`, '>= 3,000,000 rec/s', `${formatNumber(fromStart.median / 3_000_000, 2)}x`, ratio(fromStart.median, peers.redisXread), ratio(fromStart.median, peers.natsConsume)],
    ['broker CPU per MB ingested', `${formatSummary(summarize(runs.map((r) => r.cpuMsPerMb)), 1)} ms`, '-', '-', '-', '-'],
    ['broker peak RSS', `${formatNumber(brokerPeakRssMiB)} MiB`, '<= 300 MiB', brokerPeakRssMiB <= 300 ? 'met' : 'missed', '-', '-'],
    ['kcat -P against the broker (reference)', `${formatNumber(kcat.produce)} rec/s`, '-', '-', '-', '-'],
    ['kcat -C against the broker (reference)', `${formatNumber(kcat.consume)} rec/s`, '-', '-', '-', '-'],
  ];
  console.log(renderTable(['figure', 'Tributary (median [range])', 'target', 'vs target', 'vs Redis Streams (XADD / XREAD)', 'vs NATS JetStream (publish / consume)'], rows));
  const peersNote = `Peers: ${unavailable ?? `${PEER_RUNS} runs of ../shared/bench/peers/peers.sh (300,000 messages of 100 B), medians`}.`;
  console.log(`\nThe load client and the broker share the 2 cores. ${peersNote}`);
  const baseline = (name: string, v: number | undefined): Reference[] => (v === undefined ? [] : [{ name, value: v, better: 'higher' }]);
  const target = (value: number, better: Reference['better']): Reference => ({ name: 'target', value, better });
  const figures: Figure[] = [
    { figure: 'broker ingest, pre-built Produce requests (64 KiB batches, acks=1)', unit: 'rec/s', summary: ingest, target: target(1_500_000, 'higher'), baselines: [...baseline('Redis XADD', peers.redisXadd), ...baseline('NATS JetStream publish', peers.natsPublish)] },
    { figure: 'consumer at the tail while producing (bounded by the producers)', unit: 'rec/s', summary: tail, baselines: [...baseline('Redis XREAD', peers.redisXread), ...baseline('NATS JetStream consume', peers.natsConsume)] },
    { figure: 'fetch from the start (page cache)', unit: 'rec/s', summary: fromStart, target: target(3_000_000, 'higher'), baselines: [...baseline('Redis XREAD', peers.redisXread), ...baseline('NATS JetStream consume', peers.natsConsume)] },
    { figure: 'broker CPU per MB ingested', unit: 'ms', summary: summarize(runs.map((r) => r.cpuMsPerMb)), digits: 1 },
    { figure: 'broker peak RSS', unit: 'MiB', summary: single(brokerPeakRssMiB), target: target(300, 'lower') },
    { figure: 'kcat -P against the broker (reference)', unit: 'rec/s', summary: single(kcat.produce) },
    { figure: 'kcat -C against the broker (reference)', unit: 'rec/s', summary: single(kcat.consume) },
  ];
  const peerFigure = (figure: string, pick: (p: PeerFigures) => number | undefined) => {
    const values = peerRuns.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length > 0) figures.push({ figure: `peer: ${figure}`, unit: 'msg/s', summary: summarize(values) });
  };
  peerFigure('NATS JetStream publish with acks, 100 B', (p) => p.natsPublish);
  peerFigure('NATS JetStream pull consumer', (p) => p.natsConsume);
  peerFigure('Redis Streams XADD, pipelined', (p) => p.redisXadd);
  peerFigure('Redis Streams XREAD', (p) => p.redisXread);
  const settings = `runs: ${RUNS}, ${formatNumber(RECORDS_PER_RUN)} records of 100 B per run, 64 KiB batches, acks=1, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight; load client and broker share the cores`;
  writeBenchResult(args.get('json'), benchResult('broker', settings, figures, [peersNote]));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
