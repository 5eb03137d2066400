import { Encodable, ListOffsetsRequest, ListOffsetsResponse } from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { ErrorCode, KafkaError } from '../../replica/kafka-errors';
import { since } from '../versioned';

/** ListOffsets special timestamps (Kafka's). */
const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const READ_COMMITTED = 1;

/**
 * ListOffsets: earliest (log start), latest (high watermark or, read_committed, last stable offset: what consumers can read), the
 * offset of the largest timestamp, or the first offset at or after a timestamp.
 */
export function handleListOffsets(ctx: BrokerContext, request: ListOffsetsRequest, apiVersion: number): Encodable<ListOffsetsResponse> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const base = { partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
        const partition = ctx.replicas.getPartition(topic.name, p.partitionIndex);
        if (!partition) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (!partition.isLeader) return { ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
        const leaderEpoch = since(apiVersion, 4, partition.leaderAndIsr?.leaderEpoch ?? -1);
        try {
          if (p.timestamp === EARLIEST) return { ...base, errorCode: 0, offset: partition.logStartOffset, leaderEpoch };
          // consumers see up to the high watermark (read_committed: the last stable offset); a follower (replicaId >= 0) asks for the log end
          if (p.timestamp === LATEST) {
            const offset = request.replicaId >= 0 ? partition.logEndOffset : request.isolationLevel === READ_COMMITTED ? partition.lastStableOffset : partition.highWatermark;
            return { ...base, errorCode: 0, offset, leaderEpoch };
          }
          if (p.timestamp === MAX_TIMESTAMP) {
            let best = { timestamp: -1, offset: -1 };
            partition.log.forEachBatchHeader(partition.logStartOffset, (header) => {
              if (header.maxTimestamp > best.timestamp && header.lastOffset < partition.highWatermark) best = { timestamp: header.maxTimestamp, offset: header.lastOffset };
            });
            return { ...base, errorCode: 0, ...best, leaderEpoch };
          }
          if (p.timestamp < 0n) throw new KafkaError('INVALID_REQUEST', `unsupported ListOffsets timestamp ${p.timestamp}`);
          const found = partition.log.offsetForTimestamp(Number(p.timestamp));
          if (!found || found.offset >= partition.highWatermark) return { ...base, errorCode: 0, leaderEpoch };
          return { ...base, errorCode: 0, timestamp: found.timestamp, offset: found.offset, leaderEpoch };
        } catch (error) {
          return { ...base, errorCode: error instanceof KafkaError ? error.code : ErrorCode.UNKNOWN_SERVER_ERROR };
        }
      }),
    })),
  };
}
