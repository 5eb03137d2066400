import { AlterPartitionAnswer, AlterPartitionCommand, MetadataImage, PartitionChangeRecord } from '@tributary/protocol';
import { ControllerError } from './controller-errors';

/**
 * AlterPartition from a partition leader (ISR shrink or expand), checked against the current
 * leader epoch and partition epoch so that a stale leader or a lost update cannot win. On success
 * the result describes the partition as it will be once the record commits.
 */
export function alterPartition(image: MetadataImage, request: AlterPartitionCommand): { result: AlterPartitionAnswer; record: PartitionChangeRecord | null } {
  const partition = image.topicsById.get(request.topicId)?.partitions.get(request.partitionId);
  const reject = (name: keyof typeof ControllerError, message: string) => ({
    result: {
      errorCode: ControllerError[name],
      errorMessage: message,
      leaderId: partition?.leader ?? -1,
      leaderEpoch: partition?.leaderEpoch ?? -1,
      partitionEpoch: partition?.partitionEpoch ?? -1,
      isr: partition?.isr ?? [],
    },
    record: null,
  });
  const broker = image.brokers.get(request.brokerId);
  if (!broker || broker.brokerEpoch !== request.brokerEpoch) return reject('STALE_BROKER_EPOCH', `broker ${request.brokerId} epoch ${request.brokerEpoch} is not current`);
  if (!partition) return reject('UNKNOWN_TOPIC_OR_PARTITION', `no partition ${request.topicId}/${request.partitionId}`);
  if (request.leaderEpoch < partition.leaderEpoch) return reject('FENCED_LEADER_EPOCH', `leader epoch ${request.leaderEpoch} is older than ${partition.leaderEpoch}`);
  if (partition.leader !== request.brokerId) return reject('INVALID_REQUEST', `broker ${request.brokerId} does not lead this partition`);
  if (request.partitionEpoch !== partition.partitionEpoch) {
    return reject('INVALID_UPDATE_VERSION', `partition epoch ${request.partitionEpoch} is not the current ${partition.partitionEpoch}`);
  }
  const isr = [...new Set(request.newIsr)];
  if (!isr.includes(request.brokerId)) return reject('INVALID_REQUEST', 'the new ISR must include the leader');
  const ineligible = isr.find((id) => !partition.replicas.includes(id) || image.brokers.get(id)?.fenced !== false);
  if (ineligible !== undefined) return reject('INELIGIBLE_REPLICA', `broker ${ineligible} is not a live replica`);
  return {
    result: { errorCode: 0, errorMessage: null, leaderId: partition.leader, leaderEpoch: partition.leaderEpoch, partitionEpoch: partition.partitionEpoch + 1, isr },
    record: { type: 'partitionChange', topicId: request.topicId, partitionId: request.partitionId, isr },
  };
}
