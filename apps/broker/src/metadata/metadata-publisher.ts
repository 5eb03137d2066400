import { LogConfig } from '@tributary/log-engine';
import { MetadataImage, NO_LEADER } from '@tributary/protocol';
import { ReplicaFetcherManager } from '../replica/replica-fetcher-manager';
import { ReplicaManager } from '../replica/replica-manager';
import { topicLogConfig, topicMinInsyncReplicas } from './topic-log-config';

/**
 * Turns each new metadata image into this broker's replica roles, the KRaft way: partitions that
 * list this broker become leaders or followers (followers are handed to the fetchers), partitions
 * of deleted topics or reassigned away are stopped and their logs deleted, and topic config
 * changes reach the logs. Idempotent: publishing the same image twice changes nothing.
 */
export class MetadataPublisher {
  /** key -> "leaderEpoch/partitionEpoch" last applied */
  private readonly applied = new Map<string, string>();
  private firstImage = true;

  constructor(
    private readonly brokerId: number,
    private readonly replicas: ReplicaManager,
    private readonly fetchers: ReplicaFetcherManager,
    private readonly defaults: { log: Partial<LogConfig>; minInsyncReplicas: number },
  ) {}

  publish(image: MetadataImage): void {
    const hosted = new Set<string>();
    for (const topic of image.topicsById.values()) {
      const configs = image.topicConfig(topic.name);
      const logConfig = topicLogConfig(configs, this.defaults.log);
      const minIsr = topicMinInsyncReplicas(configs, this.defaults.minInsyncReplicas);
      for (const p of topic.partitions.values()) {
        if (!p.replicas.includes(this.brokerId)) continue;
        const key = `${topic.name}-${p.partitionId}`;
        hosted.add(key);
        const version = `${p.leaderEpoch}/${p.partitionEpoch}`;
        const existing = this.replicas.getPartition(topic.name, p.partitionId);
        if (existing) {
          existing.log.reconfigure(logConfig);
          existing.setMinInsyncReplicas(minIsr);
        }
        if (this.applied.get(key) === version) continue;
        this.applied.set(key, version);
        const state = { leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr };
        const partition = this.replicas.becomeLeaderOrFollower(topic.name, p.partitionId, state, logConfig);
        partition.setMinInsyncReplicas(minIsr);
        if (p.leader === this.brokerId || p.leader === NO_LEADER) this.fetchers.unfollow(topic.name, p.partitionId);
        else this.fetchers.follow(partition, p.leader);
      }
    }
    for (const partition of this.replicas.allPartitions()) {
      const key = `${partition.topic}-${partition.index}`;
      if (hosted.has(key)) continue;
      this.fetchers.unfollow(partition.topic, partition.index);
      this.replicas.stopReplica(partition.topic, partition.index, true);
      this.applied.delete(key);
    }
    if (this.firstImage) {
      // logs of topics deleted (or moved away) while this broker was down
      this.firstImage = false;
      for (const { topic, partition } of this.replicas.logsOnDisk()) {
        if (!hosted.has(`${topic}-${partition}`)) this.replicas.stopReplica(topic, partition, true);
      }
    }
  }
}
