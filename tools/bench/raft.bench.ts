/**
 * `npm run bench -- raft`: a 3-voter Raft cluster of real processes (tools/bench/raft/raft-bench-node.ts:
 * RaftRunner on fsync'd RaftStorage, messages over the control-plane RPC, the controller's
 * default timeouts). Per run, on a fresh cluster: proposals of 100 B committed per second with
 * a window of proposals in flight (the runner batches what arrives during one fsync), commit
 * latency under that load and one proposal at a time, and the time from SIGKILL of the leader
 * to a surviving node committing a write. Medians [ranges] of several runs. A report, not a test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RpcClient } from '@tributary/protocol';
import { freePort } from '../cluster/free-port';
import { Figure, benchResult, compare, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { benchOptions, positiveOption } from './lib/options';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';
import type { LoadRequest, LoadResult, NodeStatus, RaftBenchNodeConfig } from './raft/raft-bench-node';

const args = benchOptions(process.argv.slice(2));
const RUNS = positiveOption(args, 'runs', 3);
const LOAD_SECONDS = positiveOption(args, 'seconds', 10);
const WINDOW = positiveOption(args, 'window', 1_000);
const SEQUENTIAL = positiveOption(args, 'sequential', 300);
/** Loads cut short by a leader change are run again, this many times at most. */
const LOAD_ATTEMPTS = 3;
const PROPOSAL_BYTES = 100;
/** The controller's Raft timing (apps/controller/src/controller-runtime.ts): 50 ms ticks, elections after 0.5-1 s. */
const TICK_MS = positiveOption(args, 'tick-ms', 50);
const ELECTION_TICKS = positiveOption(args, 'election-ticks', 10);
const VOTERS = 3;
const ROOT = path.resolve(__dirname, '../..');
const NODE_ENTRY = path.join(__dirname, 'raft/raft-bench-node.ts');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RunningNode {
  id: number;
  process: ChildProcess;
  client: RpcClient;
}

function startNode(config: RaftBenchNodeConfig): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './tools/scripts/register.js', NODE_ENTRY, JSON.stringify(config)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`raft node ${config.id} did not start within 60 s`));
    }, 60_000);
    child.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      if (chunk.toString().startsWith('ready')) resolve(child);
      else reject(new Error(`raft node ${config.id} said ${chunk.toString().trim()}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`raft node ${config.id} exited with ${code} while starting`));
    });
  });
}

async function startCluster(dir: string): Promise<RunningNode[]> {
  const voters: { id: number; port: number }[] = [];
  for (let id = 1; id <= VOTERS; id++) voters.push({ id, port: await freePort() });
  return Promise.all(
    voters.map(async ({ id, port }) => {
      const config: RaftBenchNodeConfig = { id, voters, dataDir: path.join(dir, `node-${id}`), tickMs: TICK_MS, electionTicks: ELECTION_TICKS, maxEntriesPerAppend: 256, snapshotIntervalEntries: 10_000 };
      const child = await startNode(config);
      return { id, process: child, client: new RpcClient({ host: '127.0.0.1', port, requestTimeoutMs: 5_000 }) };
    }),
  );
}

async function stopCluster(nodes: RunningNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      node.client.close();
      if (node.process.exitCode !== null || node.process.signalCode !== null) return;
      const exited = new Promise((resolve) => node.process.once('exit', resolve));
      node.process.kill('SIGTERM');
      const forced = setTimeout(() => node.process.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    }),
  );
}

const status = (node: RunningNode) => node.client.request<NodeStatus>('bench.status', null, 1_000).catch(() => null);

/** The node every live node agrees leads, once they all do. */
async function leaderOf(nodes: RunningNode[], timeoutMs = 15_000): Promise<RunningNode> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(nodes.map(status));
    const leader = statuses.find((s) => s?.role === 'leader');
    if (leader && statuses.every((s) => s?.leaderId === leader.id)) return nodes.find((n) => n.id === leader.id) as RunningNode;
    await sleep(20);
  }
  throw new Error(`no leader agreed on within ${timeoutMs} ms`);
}

/** Waits until every follower has applied what the leader committed. */
async function caughtUp(nodes: RunningNode[], leader: RunningNode): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const leaderStatus = await status(leader);
    const statuses = await Promise.all(nodes.map(status));
    if (leaderStatus && statuses.every((s) => s !== null && s.applied >= leaderStatus.commit)) return;
    await sleep(20);
  }
  throw new Error(`followers did not catch up within 15 s: ${JSON.stringify(await Promise.all(nodes.map(status)))}`);
}

/**
 * A load on the current leader; run again (on whoever leads then) when a leader change cut it
 * short, which a disk stalling past the election timeout causes on a busy machine.
 */
async function load(nodes: RunningNode[], request: Omit<LoadRequest, 'bytes'>): Promise<LoadResult & { leaderChanges: number }> {
  for (let attempt = 1; ; attempt++) {
    const leader = await leaderOf(nodes);
    const result = await leader.client.request<LoadResult>('bench.load', { ...request, bytes: PROPOSAL_BYTES }, request.durationMs + 60_000);
    if (result.failed === 0) return { ...result, leaderChanges: attempt - 1 };
    console.error(`load on node ${leader.id} cut short after ${result.committed} commits: ${result.failure}`);
    if (attempt === LOAD_ATTEMPTS) throw new Error(`leadership changed during ${LOAD_ATTEMPTS} loads in a row`);
  }
}

/** SIGKILLs the leader, then proposes on the survivors until one commits: ms from the kill. */
async function failover(nodes: RunningNode[], leader: RunningNode): Promise<number> {
  const survivors = nodes.filter((n) => n !== leader);
  const exited = new Promise((resolve) => leader.process.once('exit', resolve));
  const killedAt = process.hrtime.bigint();
  leader.process.kill('SIGKILL');
  const deadline = Date.now() + 15_000;
  const payload = Buffer.alloc(PROPOSAL_BYTES, 0x62);
  while (Date.now() < deadline) {
    const accepted = await Promise.any(survivors.map((n) => n.client.request('bench.propose', payload, 2_000).then(() => true))).catch(() => false);
    if (accepted) {
      const ms = Number(process.hrtime.bigint() - killedAt) / 1e6;
      await exited;
      return ms;
    }
    await sleep(5);
  }
  throw new Error('no survivor accepted a write within 15 s of the leader being killed');
}

interface Run {
  proposalsPerSec: number;
  loaded: LoadResult['latencyMs'];
  sequential: LoadResult['latencyMs'];
  failoverMs: number;
  /** Loads run again after a leader change. */
  leaderChanges: number;
}

async function oneRun(): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-raft-bench-'));
  let nodes: RunningNode[] = [];
  try {
    nodes = await startCluster(dir);
    await load(nodes, { durationMs: 1_000, maxProposals: 0, window: WINDOW }); // warm-up: connections, JIT
    const loaded = await load(nodes, { durationMs: LOAD_SECONDS * 1_000, maxProposals: 0, window: WINDOW });
    const sequential = await load(nodes, { durationMs: LOAD_SECONDS * 1_000, maxProposals: SEQUENTIAL, window: 1 });
    const leader = await leaderOf(nodes);
    await caughtUp(nodes, leader);
    const failoverMs = await failover(nodes, leader);
    return { proposalsPerSec: loaded.committed / loaded.seconds, loaded: loaded.latencyMs, sequential: sequential.latencyMs, failoverMs, leaderChanges: loaded.leaderChanges + sequential.leaderChanges };
  } finally {
    await stopCluster(nodes);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const settings = `${VOTERS} voters, proposals of ${PROPOSAL_BYTES} B for ${LOAD_SECONDS} s per run with ${formatNumber(WINDOW)} in flight, ${SEQUENTIAL} one at a time, tick ${TICK_MS} ms, election timeout ${ELECTION_TICKS}-${2 * ELECTION_TICKS} ticks`;
  console.log(`# raft benchmark\n${machineLine()}\nruns: ${RUNS}, ${settings}\n`);
  const began = Date.now();
  const runs: Run[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await oneRun();
    runs.push(result);
    console.error(`run ${run + 1}: ${formatNumber(result.proposalsPerSec)} proposals/s, p50 ${formatNumber(result.loaded.p50, 2)} ms, p99 ${formatNumber(result.loaded.p99, 2)} ms under load; one at a time p50 ${formatNumber(result.sequential.p50, 2)} ms; failover ${formatNumber(result.failoverMs)} ms${result.leaderChanges > 0 ? `; ${result.leaderChanges} load(s) rerun after a leader change` : ''}`);
  }
  const of = (pick: (r: Run) => number) => summarize(runs.map(pick));
  const figures: Figure[] = [
    { figure: `proposals committed per second (100 B, ${formatNumber(WINDOW)} in flight)`, unit: 'proposals/s', summary: of((r) => r.proposalsPerSec) },
    { figure: 'commit latency p50 under that load', unit: 'ms', summary: of((r) => r.loaded.p50), digits: 2 },
    { figure: 'commit latency p99 under that load', unit: 'ms', summary: of((r) => r.loaded.p99), digits: 2 },
    { figure: 'commit latency p50, one proposal at a time', unit: 'ms', summary: of((r) => r.sequential.p50), digits: 2 },
    { figure: 'commit latency p99, one proposal at a time', unit: 'ms', summary: of((r) => r.sequential.p99), digits: 2 },
    { figure: 'leader SIGKILL -> a new leader commits a write', unit: 'ms', summary: of((r) => r.failoverMs), target: { name: 'target', value: 1_000, better: 'lower' } },
  ];
  const rows = figures.map((f) => {
    const versus = f.target ? compare(f, f.target) : null;
    return [f.figure, `${formatSummary(f.summary, f.digits ?? 0)} ${f.unit}`, f.target ? `${f.target.better === 'lower' ? '<' : '>='} ${formatNumber(f.target.value)} ${f.unit}` : '-', versus ? `${formatNumber(versus.ratio, 2)}x (${versus.met ? 'met' : 'missed'})` : '-'];
  });
  console.log(renderTable(['figure', 'median [range]', 'target', 'vs target'], rows));
  console.log(`\nLatency is propose -> applied on the leader (committed by a majority, fsync'd on each). elapsed ${formatNumber((Date.now() - began) / 1000, 1)} s`);
  const reruns = runs.reduce((sum, r) => sum + r.leaderChanges, 0);
  const notes = reruns > 0 ? [`${reruns} load(s) were cut short by a leader change (an fsync stalling past the election timeout) and run again`] : [];
  for (const note of notes) console.log(note);
  writeBenchResult(args.get('json'), benchResult('raft', `runs: ${RUNS}, ${settings}`, figures, notes));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
