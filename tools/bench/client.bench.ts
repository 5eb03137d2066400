/**
 * `npm run bench -- client`: our native client against one broker process (and one controller),
 * acks=1, 100-byte records, each workload in its own client process as a user would run it
 * (`tributary perf ...`): produce and consume records/s with our client and with kafkajs, end-to-end
 * latency at 10,000 records/s, client and broker memory. The peers of ../shared/bench/peers
 * (NATS JetStream, Redis Streams) run in the same session (`--peers 0` skips them). Medians of
 * several runs with their ranges, beside the targets of issue #7. A report, not a test.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Admin, ClusterClient } from '@tributary/client';
import { LocalCluster } from '../cluster/local-cluster';
import { Figure, Reference, benchResult, single, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { PeerFigures, peersUnavailable, runPeers } from './lib/peers';
import { rssMiB } from './lib/process-stats';
import { Summary, formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 3);
const RECORDS = Number(args.get('records') ?? 2_000_000);
/** kafkajs is much slower: fewer records keep its runs as long as ours. */
const KAFKAJS_RECORDS = Number(args.get('kafkajs-records') ?? 300_000);
const E2E_RATE = 10_000;
const E2E_SECONDS = Number(args.get('e2e-seconds') ?? 10);
/** Each e2e run is a fresh process: its first seconds (JIT tiers, start-up garbage) are not the steady state the target is about. */
const E2E_WARMUP_SECONDS = Number(args.get('e2e-warmup-seconds') ?? 5);
const PARTITIONS = Number(args.get('partitions') ?? 1);
const PEER_RUNS = Number(args.get('peers') ?? 3);
const PEER_RECORDS = 300_000;
const RECORD_BYTES = 100;
/** Any one client process of a run gives up after this long (its figures then say timedOut). */
const CLIENT_TIMEOUT_MS = 180_000;

const REPO_ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(REPO_ROOT, 'tools/cli/tributary.js');
const KAFKAJS_PERF = path.join(__dirname, 'lib/kafkajs-perf.ts');

const TARGET_PRODUCE = 1_000_000;
const TARGET_CONSUME = 2_000_000;
const TARGET_P50_MS = 1;
const TARGET_P99_MS = 5;
const TARGET_VS_KAFKAJS = 5;
const TARGET_BROKER_RSS_MIB = 300;

/** What every client process prints (tributary perf --json, kafkajs-perf.ts). */
interface ClientFigures {
  records: number;
  recordsPerSec: number;
  timedOut: boolean;
  rssPeakMiB: number;
  cpuSeconds: number;
  mbPerSec?: number;
  steadyRecordsPerSec?: number;
  latency?: { p50Ms: number; p99Ms: number; p999Ms: number };
}

interface Run {
  produce: ClientFigures;
  consume: ClientFigures;
  kafkajsProduce: ClientFigures;
  kafkajsConsume: ClientFigures;
  e2e: ClientFigures;
}

/** Runs a client process to its end and parses the JSON line it prints. */
function runClient(command: string[], label: string): Promise<ClientFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // the client bounds itself by CLIENT_TIMEOUT_MS; this is the backstop if it hangs anyway
    const timer = setTimeout(() => child.kill('SIGKILL'), CLIENT_TIMEOUT_MS + 60_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const figures = JSON.parse(line) as ClientFigures;
        if (figures.timedOut) reject(new Error(`${label}: only ${figures.records} records within ${CLIENT_TIMEOUT_MS} ms`));
        else resolve(figures);
      } catch {
        reject(new Error(`${label} exited with ${code} and no figures: ${stderr.trim() || stdout.trim()}`));
      }
    });
  });
}

function ours(bootstrap: string, ...perfArgs: string[]): string[] {
  return [CLI, '--bootstrap', bootstrap, 'perf', ...perfArgs, '--timeout-ms', String(CLIENT_TIMEOUT_MS), '--json'];
}

function kafkajs(mode: 'produce' | 'consume', bootstrap: string, topic: string, records: number): string[] {
  return ['-r', './tools/scripts/register.js', KAFKAJS_PERF, mode, bootstrap, topic, String(records), String(CLIENT_TIMEOUT_MS)];
}

async function oneRun(run: number, bootstrap: string, admin: Admin): Promise<Run> {
  const topic = `client-bench-${run}`;
  const e2eTopic = `client-bench-e2e-${run}`;
  await admin.createTopics([
    { name: topic, partitions: PARTITIONS, replicationFactor: 1 },
    { name: e2eTopic, partitions: PARTITIONS, replicationFactor: 1 },
  ]);
  const records = String(RECORDS);
  const size = String(RECORD_BYTES);
  const produce = await runClient(ours(bootstrap, 'producer', '--topic', topic, '--records', records, '--record-size', size, '--acks', '1'), 'tributary perf producer');
  const consume = await runClient(ours(bootstrap, 'consumer', '--topic', topic, '--records', records), 'tributary perf consumer');
  const kafkajsProduce = await runClient(kafkajs('produce', bootstrap, topic, KAFKAJS_RECORDS), 'kafkajs producer');
  const kafkajsConsume = await runClient(kafkajs('consume', bootstrap, topic, KAFKAJS_RECORDS), 'kafkajs consumer');
  const e2e = await runClient(ours(bootstrap, 'e2e', '--topic', e2eTopic, '--records', String(E2E_RATE * E2E_SECONDS), '--throughput', String(E2E_RATE), '--warmup-records', String(E2E_RATE * E2E_WARMUP_SECONDS), '--acks', '1'), 'tributary perf e2e');
  await admin.deleteTopics([topic, e2eTopic]);
  return { produce, consume, kafkajsProduce, kafkajsConsume, e2e };
}

async function main(): Promise<void> {
  console.log(
    `# client benchmark\n${machineLine()}\nruns: ${RUNS}; ${formatNumber(RECORDS)} records of ${RECORD_BYTES} B per run (kafkajs: ${formatNumber(KAFKAJS_RECORDS)}), ${PARTITIONS} partition(s), acks=1, one broker; end-to-end at ${formatNumber(E2E_RATE)} records/s for ${E2E_SECONDS} s after ${E2E_WARMUP_SECONDS} s of warm-up\n`,
  );
  const cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
  const brokerPid = cluster.brokers[0].pid;
  if (brokerPid === undefined) throw new Error('broker process has no pid');
  const runs: Run[] = [];
  let idle: ClientFigures | null = null;
  let brokerPeakRssMiB = NaN;
  try {
    const client = new ClusterClient({ brokers: [cluster.bootstrap], clientId: 'client-bench' });
    await client.connect();
    const admin = new Admin(client);
    try {
      await admin.createTopics([{ name: 'client-bench-idle', partitions: 1, replicationFactor: 1 }]);
      // what a perf process weighs before it does any work (Node, swc and the TypeScript it compiles)
      idle = await runClient(ours(cluster.bootstrap, 'producer', '--topic', 'client-bench-idle', '--records', '1', '--record-size', '1', '--acks', '1'), 'idle perf process');
      for (let run = 0; run < RUNS; run++) {
        const result = await oneRun(run, cluster.bootstrap, admin);
        runs.push(result);
        console.error(
          `run ${run + 1}: produce ${formatNumber(result.produce.recordsPerSec)} rec/s (kafkajs ${formatNumber(result.kafkajsProduce.recordsPerSec)}), consume ${formatNumber(result.consume.steadyRecordsPerSec ?? NaN)} rec/s (kafkajs ${formatNumber(result.kafkajsConsume.recordsPerSec)}), e2e p99 ${formatNumber(result.e2e.latency?.p99Ms ?? NaN, 2)} ms`,
        );
      }
    } finally {
      await client.close();
    }
  } finally {
    brokerPeakRssMiB = rssMiB(brokerPid).peak;
    await cluster.stop();
  }
  if (idle && runs.length > 0) report(runs, idle, brokerPeakRssMiB);
}

function report(runs: Run[], idle: ClientFigures, brokerPeakRssMiB: number): void {
  const peerRuns: PeerFigures[] = [];
  const unavailable = PEER_RUNS > 0 ? peersUnavailable() : 'skipped (--peers 0)';
  for (let i = 0; unavailable === null && i < PEER_RUNS; i++) {
    peerRuns.push(runPeers(PEER_RECORDS));
    console.error(`peers run ${i + 1}: ${JSON.stringify(peerRuns[i])}`);
  }
  const peer = (pick: (p: PeerFigures) => number | undefined) => {
    const present = peerRuns.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return present.length > 0 ? summarize(present).median : undefined;
  };
  const of = (pick: (r: Run) => number) => summarize(runs.map(pick));
  const produce = of((r) => r.produce.recordsPerSec);
  const produceMb = of((r) => r.produce.mbPerSec ?? NaN);
  const consume = of((r) => r.consume.steadyRecordsPerSec ?? NaN);
  const kafkajsProduce = of((r) => r.kafkajsProduce.recordsPerSec);
  const kafkajsConsume = of((r) => r.kafkajsConsume.recordsPerSec);
  const p50 = of((r) => r.e2e.latency?.p50Ms ?? NaN);
  const p99 = of((r) => r.e2e.latency?.p99Ms ?? NaN);
  const p999 = of((r) => r.e2e.latency?.p999Ms ?? NaN);
  const cpuPerMillion = (pick: (r: Run) => ClientFigures) => of((r) => (pick(r).cpuSeconds / pick(r).records) * 1e6);

  const atLeast = (value: number, target: number) => `${formatNumber(value / target, 2)}x (${value >= target ? 'met' : 'missed'})`;
  const atMost = (value: number, target: number) => `${formatNumber(value / target, 2)}x (${value <= target ? 'met' : 'missed'})`;
  const timesKafkajs = (value: number, theirs: number) => `${formatNumber(value / theirs, 1)}x (${value / theirs >= TARGET_VS_KAFKAJS ? 'met' : 'missed'})`;
  const versus = (value: number, theirs: number | undefined) => (theirs === undefined ? 'n/a' : `${formatNumber(value / theirs, 1)}x ${formatNumber(theirs)}`);
  const ms = (s: Summary) => `${formatSummary(s, 2)} ms`;
  const rows = [
    ['produce, our producer (records/s)', `${formatSummary(produce)} (${formatNumber(produceMb.median, 1)} MB/s)`, `>= ${formatNumber(TARGET_PRODUCE)}`, atLeast(produce.median, TARGET_PRODUCE), formatSummary(kafkajsProduce), timesKafkajs(produce.median, kafkajsProduce.median), `XADD ${versus(produce.median, peer((p) => p.redisXadd))}`, `publish ${versus(produce.median, peer((p) => p.natsPublish))}`],
    ['consume, our consumer (records/s, first to last record)', formatSummary(consume), `>= ${formatNumber(TARGET_CONSUME)}`, atLeast(consume.median, TARGET_CONSUME), formatSummary(kafkajsConsume), timesKafkajs(consume.median, kafkajsConsume.median), `XREAD ${versus(consume.median, peer((p) => p.redisXread))}`, `consume ${versus(consume.median, peer((p) => p.natsConsume))}`],
    [`end-to-end p50 at ${formatNumber(E2E_RATE)} records/s`, ms(p50), `<= ${TARGET_P50_MS} ms`, atMost(p50.median, TARGET_P50_MS), '-', '-', '-', peerLatency(peer((p) => p.natsE2eP50Ms))],
    [`end-to-end p99 at ${formatNumber(E2E_RATE)} records/s`, ms(p99), `<= ${TARGET_P99_MS} ms`, atMost(p99.median, TARGET_P99_MS), '-', '-', '-', peerLatency(peer((p) => p.natsE2eP99Ms))],
    [`end-to-end p99.9 at ${formatNumber(E2E_RATE)} records/s`, ms(p999), '-', '-', '-', '-', '-', peerLatency(peer((p) => p.natsE2eP999Ms))],
    ['producer process: peak RSS / CPU s per million records', `${formatSummary(of((r) => r.produce.rssPeakMiB))} MiB / ${formatSummary(cpuPerMillion((r) => r.produce), 2)}`, '-', '-', `${formatSummary(of((r) => r.kafkajsProduce.rssPeakMiB))} MiB / ${formatSummary(cpuPerMillion((r) => r.kafkajsProduce), 2)}`, '-', '-', '-'],
    ['consumer process: peak RSS / CPU s per million records', `${formatSummary(of((r) => r.consume.rssPeakMiB))} MiB / ${formatSummary(cpuPerMillion((r) => r.consume), 2)}`, '-', '-', `${formatSummary(of((r) => r.kafkajsConsume.rssPeakMiB))} MiB / ${formatSummary(cpuPerMillion((r) => r.kafkajsConsume), 2)}`, '-', '-', '-'],
    ['broker peak RSS (whole session)', `${formatNumber(brokerPeakRssMiB)} MiB`, `<= ${TARGET_BROKER_RSS_MIB} MiB`, brokerPeakRssMiB <= TARGET_BROKER_RSS_MIB ? 'met' : 'missed', '-', '-', '-', '-'],
  ];
  console.log(renderTable(['figure', 'ours (median [range])', 'target', 'vs target', 'kafkajs (median [range])', 'ours / kafkajs (target >= 5x)', 'vs Redis Streams', 'vs NATS JetStream'], rows));
  console.log(
    `\nEach client workload runs in its own process; an idle perf process (Node + swc compiling the TypeScript) weighs ${formatNumber(idle.rssPeakMiB)} MiB of RSS before any work, kafkajs's the same way; CPU counts the measured run only, not the start-up. Client and broker share the 2 cores. Peers: ${unavailable ?? `${PEER_RUNS} runs of ../shared/bench/peers/peers.sh (${formatNumber(PEER_RECORDS)} messages of 100 B), medians`}.`,
  );
  const baseline = (name: string, v: number | undefined, better: Reference['better'] = 'higher'): Reference[] => (v === undefined ? [] : [{ name, value: v, better }]);
  const target = (value: number, better: Reference['better']): Reference => ({ name: 'target', value, better });
  const figures: Figure[] = [
    { figure: 'produce, our producer, acks=1, 100 B', unit: 'rec/s', summary: produce, target: target(TARGET_PRODUCE, 'higher'), baselines: [...baseline('kafkajs', kafkajsProduce.median), ...baseline('Redis XADD', peer((p) => p.redisXadd)), ...baseline('NATS JetStream publish', peer((p) => p.natsPublish))] },
    { figure: 'consume, our consumer (first to last record)', unit: 'rec/s', summary: consume, target: target(TARGET_CONSUME, 'higher'), baselines: [...baseline('kafkajs', kafkajsConsume.median), ...baseline('Redis XREAD', peer((p) => p.redisXread)), ...baseline('NATS JetStream consume', peer((p) => p.natsConsume))] },
    { figure: 'our producer / kafkajs producer', unit: 'x', summary: of((r) => r.produce.recordsPerSec / r.kafkajsProduce.recordsPerSec), digits: 1, target: target(TARGET_VS_KAFKAJS, 'higher') },
    { figure: 'our consumer / kafkajs consumer', unit: 'x', summary: of((r) => (r.consume.steadyRecordsPerSec ?? NaN) / r.kafkajsConsume.recordsPerSec), digits: 1, target: target(TARGET_VS_KAFKAJS, 'higher') },
    { figure: `end-to-end latency p50 at ${formatNumber(E2E_RATE)} records/s`, unit: 'ms', summary: p50, digits: 2, target: target(TARGET_P50_MS, 'lower'), baselines: baseline('NATS JetStream', peer((p) => p.natsE2eP50Ms), 'lower') },
    { figure: `end-to-end latency p99 at ${formatNumber(E2E_RATE)} records/s`, unit: 'ms', summary: p99, digits: 2, target: target(TARGET_P99_MS, 'lower'), baselines: baseline('NATS JetStream', peer((p) => p.natsE2eP99Ms), 'lower') },
    { figure: `end-to-end latency p99.9 at ${formatNumber(E2E_RATE)} records/s`, unit: 'ms', summary: p999, digits: 2, baselines: baseline('NATS JetStream', peer((p) => p.natsE2eP999Ms), 'lower') },
    { figure: 'kafkajs producer against our broker', unit: 'rec/s', summary: kafkajsProduce },
    { figure: 'kafkajs consumer against our broker', unit: 'rec/s', summary: kafkajsConsume },
    { figure: 'producer process peak RSS', unit: 'MiB', summary: of((r) => r.produce.rssPeakMiB), baselines: baseline('kafkajs', of((r) => r.kafkajsProduce.rssPeakMiB).median, 'lower') },
    { figure: 'consumer process peak RSS', unit: 'MiB', summary: of((r) => r.consume.rssPeakMiB), baselines: baseline('kafkajs', of((r) => r.kafkajsConsume.rssPeakMiB).median, 'lower') },
    { figure: 'producer CPU per million records', unit: 's', summary: cpuPerMillion((r) => r.produce), digits: 2, baselines: baseline('kafkajs', cpuPerMillion((r) => r.kafkajsProduce).median, 'lower') },
    { figure: 'consumer CPU per million records', unit: 's', summary: cpuPerMillion((r) => r.consume), digits: 2, baselines: baseline('kafkajs', cpuPerMillion((r) => r.kafkajsConsume).median, 'lower') },
    { figure: 'broker peak RSS (whole session)', unit: 'MiB', summary: single(brokerPeakRssMiB), target: target(TARGET_BROKER_RSS_MIB, 'lower') },
  ];
  const peerFigure = (figure: string, unit: string, pick: (p: PeerFigures) => number | undefined) => {
    const values = peerRuns.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (values.length > 0) figures.push({ figure: `peer: ${figure}`, unit, summary: summarize(values), digits: unit === 'ms' ? 2 : 0 });
  };
  peerFigure('NATS JetStream end-to-end p50 at 10,000 msg/s', 'ms', (p) => p.natsE2eP50Ms);
  peerFigure('NATS JetStream end-to-end p99 at 10,000 msg/s', 'ms', (p) => p.natsE2eP99Ms);
  peerFigure('NATS JetStream end-to-end p99.9 at 10,000 msg/s', 'ms', (p) => p.natsE2eP999Ms);
  const notes = [
    `An idle perf process (Node + swc compiling the TypeScript) weighs ${formatNumber(idle.rssPeakMiB)} MiB of RSS before any work; CPU counts the measured run only.`,
    `Peers: ${unavailable ?? `${PEER_RUNS} runs of ../shared/bench/peers/peers.sh (${formatNumber(PEER_RECORDS)} messages of 100 B), medians`}.`,
  ];
  const settings = `runs: ${RUNS}, ${formatNumber(RECORDS)} records of ${RECORD_BYTES} B (kafkajs ${formatNumber(KAFKAJS_RECORDS)}), ${PARTITIONS} partition(s), acks=1, each workload in its own process against 1 broker; end-to-end for ${E2E_SECONDS} s at ${formatNumber(E2E_RATE)} records/s`;
  writeBenchResult(args.get('json'), benchResult('client', settings, figures, notes));
}

function peerLatency(valueMs: number | undefined): string {
  return valueMs === undefined ? 'n/a' : `${formatNumber(valueMs, 2)} ms`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
