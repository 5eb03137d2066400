import * as path from 'node:path';
import { MetadataStore } from './state/metadata-store';
import { ControllerConfig } from './config';
import { QuorumController } from './quorum/quorum-controller';
import { SingleVoterLog } from './quorum/single-voter-log';

/** How often the active controller looks for expired broker sessions. */
const FENCE_CHECK_INTERVAL_MS = 1_000;

/**
 * Everything one controller node runs, assembled from plain classes: the metadata log, the
 * SQLite state machine, the quorum controller and its timers. NestJS wires it to HTTP and RPC.
 */
export class ControllerRuntime {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly config: ControllerConfig,
    readonly quorum: QuorumController,
    private readonly log: SingleVoterLog,
    private readonly store: MetadataStore,
  ) {}

  static async start(config: ControllerConfig): Promise<ControllerRuntime> {
    if (config.voters.length > 1) {
      throw new Error(
        `a quorum of ${config.voters.length} controllers needs Raft (libs/raft), which is not wired in yet; run a single controller (--voters ${config.nodeId}@host:port)`,
      );
    }
    const store = await MetadataStore.open(path.join(config.dataDir, 'metadata.db'));
    const log = new SingleVoterLog(config.nodeId, config.dataDir);
    const quorum = new QuorumController(log, store, { nowMs: () => Date.now() }, {
      brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
      defaultPartitions: config.defaultPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      maxMetadataWaitMs: 5_000,
    });
    await log.start(store.appliedOffset);
    const runtime = new ControllerRuntime(config, quorum, log, store);
    runtime.timer = setInterval(() => void quorum.fenceExpiredBrokers().catch(() => undefined), FENCE_CHECK_INTERVAL_MS);
    runtime.timer.unref();
    return runtime;
  }

  /** Ready: this node knows the active controller and has applied everything committed. */
  get ready(): boolean {
    return this.log.leaderId() !== null && this.store.appliedOffset >= this.log.committedOffset();
  }

  get status(): { nodeId: number; activeController: number | null; committedOffset: number; appliedOffset: number } {
    return { nodeId: this.config.nodeId, activeController: this.log.leaderId(), committedOffset: this.log.committedOffset(), appliedOffset: this.store.appliedOffset };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.log.close();
    await this.store.close();
  }
}
