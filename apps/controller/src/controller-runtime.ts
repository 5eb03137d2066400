import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import { Message, RaftRunner, RaftStorage, seededRng } from '@tributary/raft';
import { Telemetry } from '@tributary/platform';
import { RpcClient } from '@tributary/protocol';
import { ControllerConfig } from './config';
import { QuorumController } from './quorum/quorum-controller';
import { RaftQuorumLog } from './quorum/raft-quorum-log';
import { MetadataStore } from './state/metadata-store';
import { ControllerMetrics } from './telemetry/controller-metrics';

/** How often the active controller looks for expired broker sessions. */
const FENCE_CHECK_INTERVAL_MS = 1_000;
/** Raft time: 50 ms ticks; elections after 0.5-1 s of silence; heartbeats every tick. */
const RAFT_TICK_MS = 50;
const ELECTION_TICKS = 10;

/**
 * Everything one controller node runs, assembled from plain classes: the Raft metadata log
 * (storage on libs/log-engine, messages over the control-plane RPC), the SQLite state machine,
 * the quorum controller and its timers. NestJS wires it to HTTP and RPC.
 */
export class ControllerRuntime {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly config: ControllerConfig,
    readonly quorum: QuorumController,
    private readonly runner: RaftRunner,
    private readonly log: RaftQuorumLog,
    private readonly store: MetadataStore,
    private readonly peers: Map<number, RpcClient>,
  ) {}

  static async start(config: ControllerConfig, telemetry: Telemetry): Promise<ControllerRuntime> {
    const metrics = new ControllerMetrics(telemetry.meter);
    const store = await MetadataStore.open(path.join(config.dataDir, 'metadata.db'));
    const peers = new Map(config.voters.filter((v) => v.id !== config.nodeId).map((v) => [v.id, new RpcClient({ host: v.host, port: v.port, requestTimeoutMs: 2_000, reconnectBackoffMaxMs: 500 })]));
    const runner = new RaftRunner(
      { id: config.nodeId, voters: config.voters.map((v) => v.id), electionTick: ELECTION_TICKS, heartbeatTick: 1, rng: seededRng(randomInt(2 ** 31)), maxEntriesPerAppend: 256 },
      RaftStorage.open(path.join(config.dataDir, 'raft')),
      { send: (message: Message) => void peers.get(message.to)?.emit('raft.message', message).catch(() => undefined) },
      RAFT_TICK_MS,
    );
    const log = new RaftQuorumLog(config.nodeId, runner, (latencyMs) => metrics.committed(latencyMs));
    log.onLeaderChange(() => metrics.leaderChanged());
    const quorum = new QuorumController(log, store, { nowMs: () => Date.now() }, {
      brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
      defaultPartitions: config.defaultPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      maxMetadataWaitMs: 5_000,
    });
    runner.useSnapshots({
      appliedEntriesBetweenSnapshots: config.snapshotIntervalEntries,
      take: async () => (await store.snapshotBytes()).data,
      restore: async (snapshot) => {
        // committed entries never change, so a state already past the snapshot contains it (a restart)
        if (store.appliedOffset < snapshot.meta.index) await store.restore(snapshot.data);
        log.snapshotRestored(snapshot.meta.index);
      },
    });
    runner.start();
    const runtime = new ControllerRuntime(config, quorum, runner, log, store, peers);
    metrics.observe({ nodeId: config.nodeId, leaderId: () => log.leaderId(), committedOffset: () => log.committedOffset(), appliedOffset: () => store.appliedOffset });
    runtime.timer = setInterval(() => void quorum.fenceExpiredBrokers().catch(() => undefined), FENCE_CHECK_INTERVAL_MS);
    runtime.timer.unref();
    return runtime;
  }

  /** A Raft message from a peer controller. */
  deliver(message: Message): void {
    this.runner.step(message);
  }

  /** Ready: this node knows the active controller and has applied everything it knows committed. */
  get ready(): boolean {
    return this.log.leaderId() !== null && this.store.appliedOffset >= this.log.committedOffset();
  }

  get status(): { nodeId: number; activeController: number | null; term: number; committedOffset: number; appliedOffset: number } {
    return { nodeId: this.config.nodeId, activeController: this.log.leaderId(), term: this.runner.node.term, committedOffset: this.log.committedOffset(), appliedOffset: this.store.appliedOffset };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.runner.stop();
    for (const peer of this.peers.values()) peer.close();
    await this.store.close();
  }
}
