import {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  Encodable,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
} from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';
import { toKafkaError } from '../../replica/partition';

/** DeleteRecords: moves each partition's log start offset (-1 means up to the high watermark). */
export function handleDeleteRecords(ctx: BrokerContext, request: DeleteRecordsRequest): Encodable<DeleteRecordsResponse> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const partition = ctx.replicas.getPartition(topic.name, p.partitionIndex);
        if (!partition) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (!partition.isLeader) return { partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
        const target = p.offset === -1n ? partition.highWatermark : Number(p.offset);
        if (target < 0 || target > partition.highWatermark) return { partitionIndex: p.partitionIndex, lowWatermark: partition.logStartOffset, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        try {
          partition.log.advanceLogStartOffset(target);
          return { partitionIndex: p.partitionIndex, lowWatermark: partition.logStartOffset, errorCode: 0 };
        } catch (error) {
          return { partitionIndex: p.partitionIndex, lowWatermark: partition.logStartOffset, errorCode: toKafkaError(error).code };
        }
      }),
    })),
  };
}

/** OffsetForLeaderEpoch: where an epoch ends in this leader's log (followers and consumers truncate by it). */
export function handleOffsetForLeaderEpoch(ctx: BrokerContext, request: OffsetForLeaderEpochRequest): Encodable<OffsetForLeaderEpochResponse> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      topic: topic.topic,
      partitions: topic.partitions.map((p) => {
        const partition = ctx.replicas.getPartition(topic.topic, p.partition);
        const currentEpoch = partition?.leaderAndIsr?.leaderEpoch ?? -1;
        if (partition && p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < currentEpoch) {
          return { errorCode: ErrorCode.FENCED_LEADER_EPOCH, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
        }
        if (partition && p.currentLeaderEpoch > currentEpoch) {
          return { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
        }
        const answer = ctx.replicas.offsetForLeaderEpoch(topic.topic, p.partition, p.leaderEpoch);
        return { errorCode: answer.errorCode, partition: p.partition, leaderEpoch: answer.leaderEpoch, endOffset: answer.endOffset };
      }),
    })),
  };
}
