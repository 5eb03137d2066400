import { Counter, Histogram, Meter } from '@opentelemetry/api';

/** Commit latency buckets (ms): a local fsync'd commit up to a slow quorum. */
const COMMIT_LATENCY_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** What the gauges read at scrape time. */
export interface ControllerMetricSources {
  nodeId: number;
  leaderId(): number | null;
  committedOffset(): number;
  appliedOffset(): number;
}

/**
 * The controller's metrics, KRaft's figures under OpenTelemetry names: how long metadata
 * commands take to commit through Raft, how often leadership moves, who is active, how far the
 * metadata log has come.
 */
export class ControllerMetrics {
  private readonly commitLatency: Histogram;
  private readonly leaderChanges: Counter;

  constructor(private readonly meter: Meter) {
    this.commitLatency = meter.createHistogram('tributary.controller.raft.commit.latency_ms', {
      unit: 'ms',
      description: 'Time from proposing a metadata entry to its commit and apply on the active controller',
      advice: { explicitBucketBoundaries: COMMIT_LATENCY_BUCKETS_MS },
    });
    this.leaderChanges = meter.createCounter('tributary.controller.raft.leader.changes', { description: 'Raft leader changes this node saw (including losing a leader)' });
  }

  committed(latencyMs: number): void {
    this.commitLatency.record(latencyMs);
  }

  leaderChanged(): void {
    this.leaderChanges.add(1);
  }

  observe(sources: ControllerMetricSources): void {
    this.meter.createObservableGauge('tributary.controller.active', { description: '1 on the active controller (the Raft leader), else 0' }).addCallback((result) => result.observe(sources.leaderId() === sources.nodeId ? 1 : 0));
    this.meter.createObservableGauge('tributary.controller.metadata.offset', { description: 'Metadata log offsets of this node: committed and applied to its state' }).addCallback((result) => {
      result.observe(sources.committedOffset(), { kind: 'committed' });
      result.observe(sources.appliedOffset(), { kind: 'applied' });
    });
  }
}
