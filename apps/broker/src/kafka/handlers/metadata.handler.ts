import { Encodable, MetadataRequest, MetadataResponse, NO_LEADER } from '@tributary/protocol';
import { BrokerContext, endpointOf } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';
import { since } from '../versioned';

type TopicAnswer = NonNullable<Encodable<MetadataResponse>['topics']>[number];

/**
 * Metadata: live brokers, and topics (all, or those asked for) with leaders, replicas and ISR
 * from the broker's metadata image. Unknown topics are created first when auto-creation is on
 * and the client allows it (forwarded to the active controller).
 */
export async function handleMetadata(ctx: BrokerContext, request: MetadataRequest, apiVersion: number): Promise<Encodable<MetadataResponse>> {
  let image = ctx.metadata();
  const requested = request.topics?.map((t) => t.name ?? [...image.topicsById.values()].find((x) => x.topicId === t.topicId)?.name ?? null);
  const missing = (requested ?? []).filter((name): name is string => name !== null && image.topicByName(name) === undefined);
  if (missing.length > 0 && ctx.autoCreateTopics && request.allowAutoTopicCreation) {
    await ctx.controller.call('topics.create', {
      topics: missing.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] })),
      validateOnly: false,
    });
    image = ctx.metadata();
  }
  const brokers = image.activeBrokers().flatMap((b) => {
    const endpoint = endpointOf(ctx, b.brokerId);
    return endpoint ? [{ nodeId: b.brokerId, host: endpoint.host, port: endpoint.port, rack: since(apiVersion, 1, endpoint.rack) }] : [];
  });
  const live = new Set(brokers.map((b) => b.nodeId));
  const names = requested ?? [...image.topicIdsByName.keys()].sort();
  const topics = names.map((name): TopicAnswer => {
    const topic = name === null ? undefined : image.topicByName(name);
    if (!topic) {
      const justCreated = name !== null && missing.includes(name) && ctx.autoCreateTopics && request.allowAutoTopicCreation;
      return { errorCode: justCreated ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
    }
    const partitions = [...topic.partitions.values()].sort((a, b) => a.partitionId - b.partitionId).map((p) => ({
      errorCode: p.leader === NO_LEADER || !live.has(p.leader) ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
      partitionIndex: p.partitionId,
      leaderId: p.leader === NO_LEADER || !live.has(p.leader) ? -1 : p.leader,
      leaderEpoch: since(apiVersion, 7, p.leaderEpoch),
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: since(apiVersion, 5, p.replicas.filter((id) => !live.has(id))),
    }));
    return { errorCode: ErrorCode.NONE, name: topic.name, topicId: since(apiVersion, 10, topic.topicId), isInternal: since(apiVersion, 1, topic.name.startsWith('__')), partitions };
  });
  // KRaft brokers name a live broker as "controller": admin requests sent there are forwarded.
  // It must be one of the listed brokers (clients look it up), preferably this one.
  const controllerId = live.has(ctx.brokerId) ? ctx.brokerId : (brokers[0]?.nodeId ?? -1);
  return { brokers, clusterId: since(apiVersion, 2, ctx.clusterId), controllerId: since(apiVersion, 1, controllerId), topics };
}
