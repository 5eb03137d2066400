import { Encodable, FetchRequest, FetchResponse, countRecords } from '@tributary/protocol';
import { startRequestSpan } from '../../telemetry/request-spans';
import { BrokerContext } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';
import { since, upTo } from '../versioned';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** Fetch isolation_level 1: only records of committed transactions (up to the last stable offset). */
const READ_COMMITTED = 1;

/**
 * Fetch: long polling (max wait, min bytes), response and partition byte limits, consumers read
 * up to the high watermark (read_uncommitted) or the last stable offset with the aborted
 * transactions of that range (read_committed), followers (replicaId >= 0) up to the log end.
 * Records go out as the log stored them. Topics are named (v <= 12) or identified by id (v >= 13).
 */
export async function handleFetch(ctx: BrokerContext, request: FetchRequest, apiVersion: number): Promise<Encodable<FetchResponse>> {
  const image = ctx.metadata();
  const replicaId = request.replicaState?.replicaId >= 0 ? request.replicaState.replicaId : request.replicaId;
  const unknownIds = new Set<string>();
  const partitions = request.topics.flatMap((t) => {
    const name = t.topicId && t.topicId !== ZERO_UUID ? image.topicsById.get(t.topicId)?.name : t.topic;
    if (name === undefined) {
      unknownIds.add(t.topicId);
      return [];
    }
    return t.partitions.map((p) => ({ topic: name, topicId: t.topicId, partition: p.partition, fetchOffset: Number(p.fetchOffset), partitionMaxBytes: p.partitionMaxBytes }));
  });
  const startedMs = ctx.tracer ? Date.now() : 0;
  const results = await ctx.replicas.fetch({
    replicaId,
    maxWaitMs: request.maxWaitMs,
    minBytes: request.minBytes,
    maxBytes: request.maxBytes,
    isolation: request.isolationLevel === READ_COMMITTED ? 'committed' : 'high-watermark',
    partitions,
  });
  if (replicaId < 0) {
    // consumers only: replication traffic is not what a topic's readers took
    for (const r of results) if (r.records.length > 0) ctx.metrics.consumed(r.topic, r.records.length, countRecords(r.records));
    // a span only for polls that returned records: empty long polls would drown every trace
    if (ctx.tracer && results.some((r) => r.records.length > 0)) {
      startRequestSpan(ctx.tracer, 'Fetch', results.filter((r) => r.records.length > 0), startedMs).end();
    }
  }
  const responses = request.topics.map((t) => {
    if (unknownIds.has(t.topicId)) {
      return { topic: upTo(apiVersion, 12, t.topic), topicId: since(apiVersion, 13, t.topicId), partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1, records: null })) };
    }
    const name = t.topicId && t.topicId !== ZERO_UUID ? image.topicsById.get(t.topicId)?.name ?? t.topic : t.topic;
    return {
      topic: upTo(apiVersion, 12, name),
      topicId: since(apiVersion, 13, t.topicId),
      partitions: results
        .filter((r) => r.topic === name)
        .map((r) => ({
          partitionIndex: r.partition,
          errorCode: r.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: since(apiVersion, 4, r.lastStableOffset),
          logStartOffset: since(apiVersion, 5, r.logStartOffset),
          abortedTransactions: since(apiVersion, 4, r.abortedTransactions?.map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) })) ?? null),
          preferredReadReplica: since(apiVersion, 11, -1),
          records: r.records,
        })),
    };
  });
  return { throttleTimeMs: since(apiVersion, 1, 0), errorCode: since(apiVersion, 7, 0), sessionId: since(apiVersion, 7, 0), responses };
}
