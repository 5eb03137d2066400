import {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  Encodable,
  EndTxnRequest,
  EndTxnResponse,
  KafkaErrorName,
  ListTransactionsRequest,
  ListTransactionsResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
} from '@tributary/protocol';
import { ErrorCode } from '../../replica/kafka-errors';
import { TXN_STATE_NAMES, TxnPartition } from '../../transactions/transaction-metadata';
import { BrokerContext } from '../broker-context';
import { since } from '../versioned';

type TxnContext = Pick<BrokerContext, 'metadata' | 'transactions' | 'txnMarkers' | 'groups' | 'replicas'>;

/**
 * The error code for a client of `apiVersion`: PRODUCER_FENCED exists only from `fencedSince`,
 * older clients understand the same case as INVALID_PRODUCER_EPOCH (Kafka maps it the same way).
 */
export function txnErrorCode(error: KafkaErrorName, apiVersion: number, fencedSince: number): number {
  if (error === 'PRODUCER_FENCED' && apiVersion < fencedSince) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return ErrorCode[error];
}

/**
 * AddPartitionsToTxn: v0-3 (clients) add one transaction's partitions; v4+ (brokers) may carry
 * several transactions, each adding or, with verifyOnly, checking its partitions. Unknown topics
 * fail the request for that transaction (the others in it: OPERATION_NOT_ATTEMPTED).
 */
export async function handleAddPartitionsToTxn(ctx: TxnContext, request: AddPartitionsToTxnRequest, apiVersion: number): Promise<Encodable<AddPartitionsToTxnResponse>> {
  const one = async (transactionalId: string, producerId: bigint, producerEpoch: number, topics: { name: string; partitions: number[] }[], verifyOnly: boolean) => {
    const image = ctx.metadata();
    const partitions: TxnPartition[] = topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
    const unknown = partitions.filter((p) => image.topicByName(p.topic)?.partitions.has(p.partition) !== true);
    const codeOf = (p: TxnPartition, errorCode: number) => (unknown.length === 0 ? errorCode : unknown.includes(p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED);
    let errorCode: number;
    if (unknown.length > 0) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    else if (verifyOnly) {
      const meta = ctx.transactions.describe(transactionalId);
      const inTxn = new Set(meta && meta.producerId === Number(producerId) && meta.producerEpoch === producerEpoch ? meta.partitions.map((p) => `${p.topic}:${p.partition}`) : []);
      return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: inTxn.has(`${t.name}:${partitionIndex}`) ? 0 : ErrorCode.INVALID_TXN_STATE })) }));
    } else errorCode = txnErrorCode(await ctx.transactions.addPartitions(transactionalId, Number(producerId), producerEpoch, partitions), apiVersion, 2);
    let i = 0;
    return topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: codeOf(partitions[i++], errorCode) })) }));
  };
  if (apiVersion <= 3) {
    const results = await one(request.v3AndBelowTransactionalId, request.v3AndBelowProducerId, request.v3AndBelowProducerEpoch, request.v3AndBelowTopics, false);
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results };
  }
  const resultsByTransaction = [];
  for (const t of request.transactions) resultsByTransaction.push({ transactionalId: t.transactionalId, topicResults: await one(t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly) });
  return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction };
}

/** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
export async function handleAddOffsetsToTxn(ctx: TxnContext, request: AddOffsetsToTxnRequest, apiVersion: number): Promise<Encodable<AddOffsetsToTxnResponse>> {
  const error = await ctx.transactions.addOffsets(request.transactionalId, Number(request.producerId), request.producerEpoch, request.groupId);
  return { throttleTimeMs: 0, errorCode: txnErrorCode(error, apiVersion, 2) };
}

/** EndTxn: commit or abort. */
export async function handleEndTxn(ctx: TxnContext, request: EndTxnRequest, apiVersion: number): Promise<Encodable<EndTxnResponse>> {
  const error = await ctx.transactions.endTxn(request.transactionalId, Number(request.producerId), request.producerEpoch, request.committed);
  return { throttleTimeMs: 0, errorCode: txnErrorCode(error, apiVersion, 2) };
}

/** WriteTxnMarkers (from another broker's coordinator): markers into partitions this broker leads. */
export async function handleWriteTxnMarkers(ctx: TxnContext, request: WriteTxnMarkersRequest): Promise<Encodable<WriteTxnMarkersResponse>> {
  const markers = [];
  for (const m of request.markers) {
    const partitions = m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const results = await ctx.txnMarkers.write({ producerId: Number(m.producerId), producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch }, partitions);
    markers.push({
      producerId: m.producerId,
      topics: m.topics.map((t) => ({ name: t.name, partitions: results.filter((r) => r.topic === t.name).map((r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })) })),
    });
  }
  return { markers };
}

/** TxnOffsetCommit: offsets committed as part of the producer's transaction (applied with its COMMIT marker). */
export async function handleTxnOffsetCommit(ctx: TxnContext, request: TxnOffsetCommitRequest, apiVersion: number): Promise<Encodable<TxnOffsetCommitResponse>> {
  const offsets = request.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: apiVersion >= 2 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })),
  );
  const errorCode = await ctx.groups.txnCommit(
    request.groupId,
    { producerId: Number(request.producerId), producerEpoch: request.producerEpoch },
    { memberId: since(apiVersion, 3, request.memberId) ?? '', generationId: since(apiVersion, 3, request.generationId) ?? -1 },
    offsets,
  );
  return { throttleTimeMs: 0, topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
}

/** DescribeTransactions: state, timeout, producer and partitions of each id this broker coordinates. */
export function handleDescribeTransactions(ctx: TxnContext, request: DescribeTransactionsRequest): Encodable<DescribeTransactionsResponse> {
  return {
    throttleTimeMs: 0,
    transactionStates: ctx.transactions.describeMany(request.transactionalIds).map(({ transactionalId, error, meta }) => {
      const byTopic = new Map<string, number[]>();
      for (const p of meta?.partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      return {
        errorCode: ErrorCode[error],
        transactionalId,
        transactionState: meta ? TXN_STATE_NAMES[meta.state] : '',
        transactionTimeoutMs: meta?.timeoutMs ?? 0,
        transactionStartTimeMs: BigInt(meta?.startMs ?? -1),
        producerId: BigInt(meta?.producerId ?? -1),
        producerEpoch: meta?.producerEpoch ?? -1,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      };
    }),
  };
}

/** ListTransactions: the ids this broker coordinates, filtered by state, producer id and age (v1+). */
export function handleListTransactions(ctx: TxnContext, request: ListTransactionsRequest, apiVersion: number): Encodable<ListTransactionsResponse> {
  const minDurationMs = apiVersion >= 1 ? Number(request.durationFilter) : -1;
  const answer = ctx.transactions.list(request.stateFilters, request.producerIdFilters.map(Number), minDurationMs);
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    unknownStateFilters: answer.unknownStateFilters,
    transactionStates: answer.transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: BigInt(t.producerId), transactionState: TXN_STATE_NAMES[t.state] })),
  };
}

/** DescribeProducers: the producers a partition leader knows, with their open transaction's first offset. */
export function handleDescribeProducers(ctx: TxnContext, request: DescribeProducersRequest): Encodable<DescribeProducersResponse> {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const replica = ctx.replicas.getPartition(t.name, partitionIndex);
        const errorCode = !replica ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : !replica.isLeader ? ErrorCode.NOT_LEADER_OR_FOLLOWER : 0;
        const activeProducers = errorCode !== 0 || !replica ? [] : replica.producers.activeProducers().map((p) => ({
          producerId: BigInt(p.producerId),
          producerEpoch: p.producerEpoch,
          lastSequence: p.lastSequence,
          lastTimestamp: -1n,
          coordinatorEpoch: p.coordinatorEpoch,
          currentTxnStartOffset: BigInt(p.currentTxnStartOffset),
        }));
        return { partitionIndex, errorCode, errorMessage: null, activeProducers };
      }),
    })),
  };
}
