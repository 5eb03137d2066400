/**
 * `npm run bench -- controller`: topic creations through a 3-voter controller quorum (Raft with
 * fsync, SQLite state on each voter) and one broker, all real processes (LocalCluster), with the
 * native Admin: one createTopics call at a time, and many in flight; then the time from SIGKILL
 * of the active controller until a CreateTopics succeeds again. A fresh cluster per run; medians
 * [ranges] of the runs. A report, not a test.
 */
import { Admin, ClusterClient } from '@tributary/client';
import { LocalCluster } from '../cluster/local-cluster';
import { NodeProcess } from '../cluster/node-process';
import { Figure, benchResult, compare, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { benchOptions, positiveOption } from './lib/options';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = benchOptions(process.argv.slice(2));
const RUNS = positiveOption(args, 'runs', 3);
const SEQUENTIAL = positiveOption(args, 'sequential', 200);
const PIPELINED = positiveOption(args, 'pipelined', 1_000);
const IN_FLIGHT = positiveOption(args, 'in-flight', 32);
/** Failover: a failed CreateTopics is tried again after this long; a survivor's health is polled this often. */
const RETRY_AFTER_MS = 20;
const FAILOVER_DEADLINE_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Latencies {
  perSec: number;
  p50: number;
  p99: number;
}

/** Creates `count` topics of one partition, `inFlight` createTopics calls at a time; latency per call. */
async function createMany(admin: Admin, prefix: string, count: number, inFlight: number): Promise<Latencies> {
  const latencies: number[] = [];
  let next = 0;
  const begin = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      // bounded: each worker takes names until `count` were handed out
      while (next < count) {
        const name = `${prefix}-${next++}`;
        const at = process.hrtime.bigint();
        await admin.createTopics([{ name, partitions: 1, replicationFactor: 1 }]);
        latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSec: count / seconds, p50: at(0.5), p99: at(0.99) };
}

interface QuorumStatus {
  activeController: number | null;
}

async function activeController(controllers: NodeProcess[]): Promise<NodeProcess> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const controller of controllers) {
      const status = (await fetch(`${controller.healthUrl}/ready`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.json())
        .catch(() => null)) as QuorumStatus | null;
      const active = controllers.find((c) => c.id === status?.activeController && c.running);
      if (active) return active;
    }
    await sleep(50);
  }
  throw new Error('no active controller within 15 s');
}

/**
 * SIGKILLs the active controller, then creates a topic (no client retries: the broker holds the
 * request until a controller takes it), again after each failure, until one succeeds: ms from
 * the kill to that success. One call at a time, as a client would: calls piled up on one
 * connection would each wait for the answers before them.
 */
async function failover(cluster: LocalCluster, admin: Admin, run: number, failures: Map<string, number>): Promise<{ electedMs: number; acceptedMs: number }> {
  const victim = await activeController(cluster.controllers);
  const killedAt = process.hrtime.bigint();
  const killed = victim.kill('SIGKILL');
  const elected = newActiveController(cluster.controllers.filter((c) => c !== victim), victim.id, killedAt);
  const deadline = Date.now() + FAILOVER_DEADLINE_MS;
  let acceptedAt: bigint | null = null;
  for (let attempt = 0; acceptedAt === null && Date.now() < deadline; attempt++) {
    try {
      await admin.createTopics([{ name: `failover-${run}-${attempt}`, partitions: 1, replicationFactor: 1 }]);
      acceptedAt = process.hrtime.bigint();
    } catch (error) {
      const kind = (error as Error).message.replace(/failover-\d+-\d+/g, '<topic>').replace(/127\.0\.0\.1:\d+/g, '<address>');
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
      await sleep(RETRY_AFTER_MS);
    }
  }
  await killed;
  if (acceptedAt === null) throw new Error(`no CreateTopics succeeded within ${FAILOVER_DEADLINE_MS} ms of the active controller being killed`);
  return { electedMs: await elected, acceptedMs: Number(acceptedAt - killedAt) / 1e6 };
}

/** ms from the kill until a survivor's /health/ready names an active controller other than the victim. */
async function newActiveController(survivors: NodeProcess[], victimId: number, killedAt: bigint): Promise<number> {
  const deadline = Date.now() + FAILOVER_DEADLINE_MS;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(
      survivors.map((c) =>
        fetch(`${c.healthUrl}/ready`, { signal: AbortSignal.timeout(500) })
          .then((r) => r.json() as Promise<QuorumStatus>)
          .catch(() => null),
      ),
    );
    if (statuses.some((s) => s?.activeController != null && s.activeController !== victimId)) return Number(process.hrtime.bigint() - killedAt) / 1e6;
    await sleep(RETRY_AFTER_MS);
  }
  throw new Error(`no new active controller within ${FAILOVER_DEADLINE_MS} ms`);
}

/** Why CreateTopics calls failed during failover, across runs: error message (topic and address elided) -> count. */
const failoverFailures = new Map<string, number>();

interface Run {
  sequential: Latencies;
  pipelined: Latencies;
  /** From the kill until a survivor reports a new active controller. */
  electedMs: number;
  /** From the kill until a CreateTopics succeeds. */
  failoverMs: number;
}

async function oneRun(run: number): Promise<Run> {
  const cluster = await LocalCluster.start({ controllers: 3, brokers: 1 });
  const client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'bench-controller' });
  try {
    await client.connect();
    const admin = new Admin(client);
    await createMany(admin, 'warm-up', 20, 4);
    const sequential = await createMany(admin, 'sequential', SEQUENTIAL, 1);
    const pipelined = await createMany(admin, 'pipelined', PIPELINED, IN_FLIGHT);
    const { electedMs, acceptedMs } = await failover(cluster, new Admin(client, { retries: 0 }), run, failoverFailures);
    return { sequential, pipelined, electedMs, failoverMs: acceptedMs };
  } finally {
    await client.close();
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const settings = `3 controllers + 1 broker, topics of 1 partition x 1 replica through Admin.createTopics (returns once every partition has a leader): ${SEQUENTIAL} one at a time, ${formatNumber(PIPELINED)} with ${IN_FLIGHT} calls in flight`;
  console.log(`# controller benchmark\n${machineLine()}\nruns: ${RUNS}, ${settings}\n`);
  const began = Date.now();
  const runs: Run[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await oneRun(run);
    runs.push(result);
    console.error(
      `run ${run + 1}: sequential ${formatNumber(result.sequential.perSec)} topics/s (p99 ${formatNumber(result.sequential.p99, 1)} ms), pipelined ${formatNumber(result.pipelined.perSec)} topics/s (p99 ${formatNumber(result.pipelined.p99, 1)} ms), new active controller after ${formatNumber(result.electedMs)} ms, CreateTopics succeeds after ${formatNumber(result.failoverMs)} ms`,
    );
  }
  const of = (pick: (r: Run) => number) => summarize(runs.map(pick));
  const figures: Figure[] = [
    { figure: 'topic creations per second, one call at a time', unit: 'topics/s', summary: of((r) => r.sequential.perSec) },
    { figure: 'CreateTopics latency p50, one call at a time', unit: 'ms', summary: of((r) => r.sequential.p50), digits: 1 },
    { figure: 'CreateTopics latency p99, one call at a time', unit: 'ms', summary: of((r) => r.sequential.p99), digits: 1 },
    { figure: `topic creations per second, ${IN_FLIGHT} calls in flight`, unit: 'topics/s', summary: of((r) => r.pipelined.perSec) },
    { figure: `CreateTopics latency p99, ${IN_FLIGHT} calls in flight`, unit: 'ms', summary: of((r) => r.pipelined.p99), digits: 1 },
    { figure: 'active controller SIGKILL -> a survivor reports a new active controller', unit: 'ms', summary: of((r) => r.electedMs) },
    { figure: 'active controller SIGKILL -> a CreateTopics succeeds', unit: 'ms', summary: of((r) => r.failoverMs), target: { name: 'target', value: 1_000, better: 'lower' } },
  ];
  const rows = figures.map((f) => {
    const versus = f.target ? compare(f, f.target) : null;
    return [f.figure, `${formatSummary(f.summary, f.digits ?? 0)} ${f.unit}`, f.target ? `< ${formatNumber(f.target.value)} ${f.unit}` : '-', versus ? `${formatNumber(versus.ratio, 2)}x (${versus.met ? 'met' : 'missed'})` : '-'];
  });
  console.log(renderTable(['figure', 'median [range]', 'target', 'vs target'], rows));
  const notes = [...failoverFailures].map(([message, count]) => `CreateTopics calls that failed during failover (${count}): ${message}`);
  for (const note of notes) console.log(note);
  console.log(`\nelapsed ${formatNumber((Date.now() - began) / 1000, 1)} s`);
  writeBenchResult(args.get('json'), benchResult('controller', `runs: ${RUNS}, ${settings}`, figures, notes));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
