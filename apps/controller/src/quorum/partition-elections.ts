import { ElectLeadersResult, ElectLeadersTarget, MetadataImage, NO_LEADER, PartitionChangeRecord, PartitionImage } from '@tributary/protocol';
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

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

/**
 * ElectLeaders. Preferred: leadership goes back to the first replica where it is live and in the
 * ISR. Unclean: a partition without a live leader gets the first live replica even if it is out
 * of sync (it becomes the whole ISR; records only the old leader had are lost, which is what the
 * operator asked for). `targets` null means every partition; then only those where an election
 * applies are reported, as Kafka does.
 */
export function electLeaders(image: MetadataImage, electionType: number, targets: ElectLeadersTarget[] | null): { results: ElectLeadersResult[]; records: PartitionChangeRecord[] } {
  const records: PartitionChangeRecord[] = [];
  if (electionType !== ElectionType.PREFERRED && electionType !== ElectionType.UNCLEAN) {
    return { results: (targets ?? []).map((t) => ({ ...t, errorCode: ControllerError.INVALID_REQUEST, errorMessage: `election type ${electionType} is neither preferred (0) nor unclean (1)` })), records };
  }
  const isLive = (id: number) => image.brokers.get(id)?.fenced === false;
  const all = targets === null;
  const wanted = targets ?? [...image.topicsById.values()].flatMap((t) => [...t.partitions.keys()].map((partitionId) => ({ topic: t.name, partitionId })));
  const results: ElectLeadersResult[] = [];
  for (const { topic, partitionId } of wanted) {
    const topicImage = image.topicByName(topic);
    const partition: PartitionImage | undefined = topicImage?.partitions.get(partitionId);
    const answer = (errorCode: number, errorMessage: string | null) => results.push({ topic, partitionId, errorCode, errorMessage });
    if (!topicImage || !partition) {
      answer(ControllerError.UNKNOWN_TOPIC_OR_PARTITION, `${topic}-${partitionId} does not exist`);
      continue;
    }
    const change = { type: 'partitionChange' as const, topicId: topicImage.topicId, partitionId };
    if (electionType === ElectionType.PREFERRED) {
      const preferred = partition.replicas[0];
      if (partition.leader === preferred) {
        if (!all) answer(ControllerError.ELECTION_NOT_NEEDED, 'the preferred replica already leads');
      } else if (!partition.isr.includes(preferred) || !isLive(preferred)) {
        answer(ControllerError.PREFERRED_LEADER_NOT_AVAILABLE, `broker ${preferred} is not live and in sync`);
      } else {
        records.push({ ...change, leader: preferred });
        answer(ControllerError.NONE, null);
      }
      continue;
    }
    if (partition.leader !== NO_LEADER && isLive(partition.leader)) {
      if (!all) answer(ControllerError.ELECTION_NOT_NEEDED, `broker ${partition.leader} leads`);
      continue;
    }
    const elected = electLeader(partition.replicas, partition.isr, isLive, true);
    if (elected.leader === NO_LEADER) {
      answer(ControllerError.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'no replica is live');
      continue;
    }
    records.push({ ...change, leader: elected.leader, ...(elected.isr ? { isr: elected.isr } : {}) });
    answer(ControllerError.NONE, null);
  }
  return { results, records };
}

function sameMembers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
