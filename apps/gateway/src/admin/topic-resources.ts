import { TopicDescription } from '@tributary/client';
import { z } from 'zod';
import { ResourceLinks } from '../http/resource-links';
import { partitionSchema, replicaSchema, topicSchema } from './topic.schemas';

type PartitionDescription = TopicDescription['partitions'][number];

/** REST Proxy v3 resources of topics, partitions and replicas. */
export function topicResource(links: ResourceLinks, topic: TopicDescription): z.input<typeof topicSchema> {
  const path = `/topics/${encodeURIComponent(topic.name)}`;
  return {
    kind: 'KafkaTopic',
    metadata: links.resource(path, `/topic=${topic.name}`),
    cluster_id: links.clusterId,
    topic_name: topic.name,
    topic_id: topic.topicId,
    is_internal: topic.internal,
    replication_factor: topic.partitions[0]?.replicas.length ?? 0,
    partitions_count: topic.partitions.length,
    partitions: links.related(`${path}/partitions`),
    configs: links.related(`${path}/configs`),
  };
}

export function partitionResource(links: ResourceLinks, topic: string, partition: PartitionDescription): z.input<typeof partitionSchema> {
  const path = `/topics/${encodeURIComponent(topic)}/partitions/${partition.partition}`;
  return {
    kind: 'KafkaPartition',
    metadata: links.resource(path, `/topic=${topic}/partition=${partition.partition}`),
    cluster_id: links.clusterId,
    topic_name: topic,
    partition_id: partition.partition,
    leader: partition.leader >= 0 ? links.related(`${path}/replicas/${partition.leader}`) : null,
    replicas: links.related(`${path}/replicas`),
  };
}

export function replicaResources(links: ResourceLinks, topic: string, partition: PartitionDescription): z.input<typeof replicaSchema>[] {
  const path = `/topics/${encodeURIComponent(topic)}/partitions/${partition.partition}/replicas`;
  return partition.replicas.map((brokerId) => ({
    kind: 'KafkaReplica',
    metadata: links.resource(`${path}/${brokerId}`, `/topic=${topic}/partition=${partition.partition}/replica=${brokerId}`),
    cluster_id: links.clusterId,
    topic_name: topic,
    partition_id: partition.partition,
    broker_id: brokerId,
    is_leader: partition.leader === brokerId,
    is_in_sync: partition.isr.includes(brokerId),
    broker: links.related(`/brokers/${brokerId}`),
  }));
}
