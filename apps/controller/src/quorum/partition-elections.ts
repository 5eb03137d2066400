import { MetadataImage, NO_LEADER, PartitionChangeRecord, PartitionImage } from '@tributary/protocol';
import { ControllerError } from './controller-errors';

/**
 * Leader and ISR changes driven by broker liveness, as KRaft does them: a fenced broker leaves
 * every ISR (except as the last member, which keeps the partition's history) and loses its
 * leaderships to the next live ISR member in replica order; an unfenced broker takes over
 * leaderless partitions it is in the ISR of. Out-of-sync replicas lead only when the topic
 * enables unclean.leader.election.enable.
 */
export function electionsOnBrokerFenced(image: MetadataImage, fencedBrokerId: number): PartitionChangeRecord[] {
  const isLive = (id: number) => id !== fencedBrokerId && image.brokers.get(id)?.fenced === false;
  const changes: PartitionChangeRecord[] = [];
  for (const topic of image.topicsById.values()) {
    const unclean = image.topicConfig(topic.name).get('unclean.leader.election.enable') === 'true';
    for (const partition of topic.partitions.values()) {
      if (!partition.isr.includes(fencedBrokerId) && partition.leader !== fencedBrokerId) continue;
      const shrunk = partition.isr.filter((id) => id !== fencedBrokerId);
      const isr = shrunk.length > 0 ? shrunk : partition.isr;
      const change: PartitionChangeRecord = { type: 'partitionChange', topicId: topic.topicId, partitionId: partition.partitionId };
      if (!sameMembers(isr, partition.isr)) change.isr = isr;
      if (partition.leader === fencedBrokerId) {
        const elected = electLeader(partition.replicas, isr, isLive, unclean);
        change.leader = elected.leader;
        if (elected.isr) change.isr = elected.isr;
      }
      if (change.isr !== undefined || change.leader !== undefined) changes.push(change);
    }
  }
  return changes;
}

/** A broker came back (unfenced): it leads the leaderless partitions it can. */
export function electionsOnBrokerUnfenced(image: MetadataImage, brokerId: number): PartitionChangeRecord[] {
  const isLive = (id: number) => id === brokerId || image.brokers.get(id)?.fenced === false;
  const changes: PartitionChangeRecord[] = [];
  for (const topic of image.topicsById.values()) {
    const unclean = image.topicConfig(topic.name).get('unclean.leader.election.enable') === 'true';
    for (const partition of topic.partitions.values()) {
      if (partition.leader !== NO_LEADER || !partition.replicas.includes(brokerId)) continue;
      const elected = electLeader(partition.replicas, partition.isr, isLive, unclean);
      if (elected.leader === NO_LEADER) continue;
      changes.push({ type: 'partitionChange', topicId: topic.topicId, partitionId: partition.partitionId, leader: elected.leader, ...(elected.isr ? { isr: elected.isr } : {}) });
    }
  }
  return changes;
}

/**
 * The first live ISR member in replica order; with unclean election, the first live replica
 * (which becomes the whole ISR). NO_LEADER when nobody qualifies.
 */
export function electLeader(replicas: number[], isr: number[], isLive: (id: number) => boolean, unclean: boolean): { leader: number; isr?: number[] } {
  const clean = replicas.find((id) => isr.includes(id) && isLive(id));
  if (clean !== undefined) return { leader: clean };
  if (unclean) {
    const any = replicas.find(isLive);
    if (any !== undefined) return { leader: any, isr: [any] };
  }
  return { leader: NO_LEADER };
}

export interface PreferredElectionResult {
  topicId: string;
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}

/** Moves leadership back to the first replica where it is live and in the ISR. */
export function preferredLeaderElection(image: MetadataImage, targets: { topicId: string; partitionId: number }[]): { results: PreferredElectionResult[]; records: PartitionChangeRecord[] } {
  const records: PartitionChangeRecord[] = [];
  const results = targets.map(({ topicId, partitionId }): PreferredElectionResult => {
    const partition: PartitionImage | undefined = image.topicsById.get(topicId)?.partitions.get(partitionId);
    if (!partition) return { topicId, partitionId, errorCode: ControllerError.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'no such partition' };
    const preferred = partition.replicas[0];
    if (partition.leader === preferred) return { topicId, partitionId, errorCode: ControllerError.ELECTION_NOT_NEEDED, errorMessage: 'the preferred replica already leads' };
    if (!partition.isr.includes(preferred) || image.brokers.get(preferred)?.fenced !== false) {
      return { topicId, partitionId, errorCode: ControllerError.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: `broker ${preferred} is not live and in sync` };
    }
    records.push({ type: 'partitionChange', topicId, partitionId, leader: preferred });
    return { topicId, partitionId, errorCode: ControllerError.NONE, errorMessage: null };
  });
  return { results, records };
}

function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
