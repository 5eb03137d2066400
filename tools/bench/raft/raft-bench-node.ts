/**
 * One Raft voter as its own process, for `npm run bench -- raft`: RaftRunner on RaftStorage
 * (libs/log-engine, fsync'd) with messages over the control-plane RPC, wired as the controller
 * wires its quorum (apps/controller/src/controller-runtime.ts). The bench drives it over the same
 * RPC: `bench.status`, `bench.propose` (one entry, answered once committed and applied here) and
 * `bench.load` (proposals generated inside the leader, so the figure is Raft's, not the RPC's).
 *
 * argv[2]: JSON of RaftBenchNodeConfig. Prints "ready" once it listens; SIGTERM stops it.
 */
import { randomInt } from 'node:crypto';
import { Message, RaftRunner, RaftStorage, seededRng } from '@tributary/raft';
import { RpcClient, RpcServer } from '@tributary/protocol';

export interface RaftBenchNodeConfig {
  id: number;
  voters: { id: number; port: number }[];
  dataDir: string;
  tickMs: number;
  electionTicks: number;
  maxEntriesPerAppend: number;
  /** Snapshot (and trim the log) every this many applied entries, as the controller does. */
  snapshotIntervalEntries: number;
}

export interface LoadRequest {
  /** Keep proposing for this long, then wait for the proposals in flight. */
  durationMs: number;
  /** Stop after this many proposals even before durationMs (0: no limit). */
  maxProposals: number;
  /** Proposals awaiting their commit at once. */
  window: number;
  bytes: number;
}

export interface LoadResult {
  committed: number;
  /** Proposals lost to a leader change (the load stops at the first). */
  failed: number;
  failure: string | null;
  seconds: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface NodeStatus {
  id: number;
  role: string;
  leaderId: number | null;
  term: number;
  applied: number;
  commit: number;
}

/** How long one proposal may wait for its commit before it counts as lost (a leader change). */
const COMMIT_TIMEOUT_MS = 10_000;

interface Waiter {
  term: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

class BenchNode {
  private readonly waiters = new Map<number, Waiter>();
  private appliedEntries = 0;

  constructor(
    readonly runner: RaftRunner,
    snapshotIntervalEntries: number,
  ) {
    runner.onApply(async (entry) => {
      this.appliedEntries++;
      const waiter = this.waiters.get(entry.index);
      if (!waiter) return;
      this.waiters.delete(entry.index);
      if (waiter.term === entry.term) waiter.resolve();
      else waiter.reject(new Error('the proposal was replaced after a leader change'));
    });
    // the state machine is a counter: snapshots stay tiny, the log is trimmed behind them
    runner.useSnapshots({
      appliedEntriesBetweenSnapshots: snapshotIntervalEntries,
      take: async () => Buffer.from(String(this.appliedEntries)),
      restore: async (snapshot) => {
        this.appliedEntries = Number(Buffer.from(snapshot.data).toString());
      },
    });
  }

  status(): NodeStatus {
    const node = this.runner.node;
    return { id: node.id, role: node.role, leaderId: node.leaderId, term: node.term, applied: this.runner.applied, commit: node.commit };
  }

  /** Proposes `data`; resolves once it is committed and applied here. */
  propose(data: Uint8Array): Promise<void> {
    const proposal = this.runner.propose(data);
    if (proposal === null) return Promise.reject(new Error(`node ${this.runner.node.id} is not the leader`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(proposal.index);
        reject(new Error(`entry ${proposal.index} did not commit within ${COMMIT_TIMEOUT_MS} ms`));
      }, COMMIT_TIMEOUT_MS);
      const done = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.set(proposal.index, { term: proposal.term, resolve: () => done(), reject: done });
    });
  }

  /**
   * Keeps `window` proposals in flight for `durationMs` (or `maxProposals`), then waits for the
   * rest; latency is propose -> applied here (committed by a majority). A lost proposal (leader
   * change) stops the load: the caller sees `failed` and decides.
   */
  async load(request: LoadRequest): Promise<LoadResult> {
    const data = Buffer.alloc(request.bytes, 0x61);
    const latencies: number[] = [];
    let inFlight = 0;
    let started = 0;
    let failed = 0;
    let failure: string | null = null;
    const begin = process.hrtime.bigint();
    const stopAt = Date.now() + request.durationMs;
    const limit = request.maxProposals > 0 ? request.maxProposals : Infinity;
    await new Promise<void>((resolve) => {
      const next = (): void => {
        if (failure === null && Date.now() < stopAt && started < limit) {
          const at = process.hrtime.bigint();
          started++;
          inFlight++;
          this.propose(data).then(
            () => {
              latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
              inFlight--;
              next();
            },
            (error: Error) => {
              failed++;
              failure ??= error.message;
              inFlight--;
              next();
            },
          );
        } else if (inFlight === 0) resolve();
      };
      for (let i = 0; i < request.window; i++) next();
    });
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    return { committed: latencies.length, failed, failure, seconds, latencyMs: { p50: at(0.5), p99: at(0.99), max: at(1) } };
  }
}

const config = JSON.parse(process.argv[2] ?? '') as RaftBenchNodeConfig;

async function main(): Promise<void> {
  const self = config.voters.find((v) => v.id === config.id);
  if (!self) throw new Error(`node ${config.id} is not among the voters`);
  const peers = new Map(config.voters.filter((v) => v.id !== config.id).map((v) => [v.id, new RpcClient({ host: '127.0.0.1', port: v.port, requestTimeoutMs: 2_000, reconnectBackoffMaxMs: 500 })]));
  const storage = RaftStorage.open(config.dataDir);
  const runner = new RaftRunner(
    { id: config.id, voters: config.voters.map((v) => v.id), electionTick: config.electionTicks, heartbeatTick: 1, rng: seededRng(randomInt(2 ** 31)), maxEntriesPerAppend: config.maxEntriesPerAppend },
    storage,
    { send: (message: Message) => void peers.get(message.to)?.emit('raft.message', message).catch(() => undefined) },
    config.tickMs,
  );
  const node = new BenchNode(runner, config.snapshotIntervalEntries);
  const server = new RpcServer({ port: self.port });
  server.handle('raft.message', (message) => runner.step(message as Message));
  server.handle('bench.status', () => node.status());
  server.handle('bench.propose', (data) => node.propose(Buffer.from(data as Uint8Array)));
  server.handle('bench.load', (request) => node.load(request as LoadRequest));
  await server.listen();
  runner.start();
  process.once('SIGTERM', () => {
    runner.stop();
    for (const peer of peers.values()) peer.close();
    void server.close().finally(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`raft bench node failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
