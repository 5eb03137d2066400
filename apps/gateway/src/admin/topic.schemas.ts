import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { collectionMetadataSchema, relatedSchema, resourceMetadataSchema } from '../http/resource-links';

export const topicSchema = z.object({
  kind: z.literal('KafkaTopic'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  topic_name: z.string(),
  topic_id: z.string(),
  is_internal: z.boolean(),
  replication_factor: z.number().int(),
  partitions_count: z.number().int(),
  partitions: relatedSchema,
  configs: relatedSchema,
});

export const topicListSchema = z.object({ kind: z.literal('KafkaTopicList'), metadata: collectionMetadataSchema, data: z.array(topicSchema) });

/** Configs set at creation. */
const MAX_CREATE_CONFIGS = 200;

export const createTopicSchema = z.strictObject({
  topic_name: z.string().min(1).max(249),
  partitions_count: z.number().int().min(1).max(100_000).optional().describe("Default: the brokers' num.partitions"),
  replication_factor: z.number().int().min(1).max(32).optional().describe("Default: the brokers' default.replication.factor"),
  configs: z.array(z.object({ name: z.string().min(1), value: z.string() })).max(MAX_CREATE_CONFIGS).optional(),
  validate_only: z.boolean().default(false),
});

export const partitionSchema = z.object({
  kind: z.literal('KafkaPartition'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  topic_name: z.string(),
  partition_id: z.number().int(),
  leader: relatedSchema.nullable().describe('null while the partition has no leader'),
  replicas: relatedSchema,
});

export const partitionListSchema = z.object({ kind: z.literal('KafkaPartitionList'), metadata: collectionMetadataSchema, data: z.array(partitionSchema) });

export const replicaSchema = z.object({
  kind: z.literal('KafkaReplica'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  topic_name: z.string(),
  partition_id: z.number().int(),
  broker_id: z.number().int(),
  is_leader: z.boolean(),
  is_in_sync: z.boolean(),
  broker: relatedSchema,
});

export const replicaListSchema = z.object({ kind: z.literal('KafkaReplicaList'), metadata: collectionMetadataSchema, data: z.array(replicaSchema) });

export class TopicDto extends createZodDto(topicSchema) {}
export class TopicListDto extends createZodDto(topicListSchema) {}
export class CreateTopicDto extends createZodDto(createTopicSchema) {}
export class PartitionDto extends createZodDto(partitionSchema) {}
export class PartitionListDto extends createZodDto(partitionListSchema) {}
export class ReplicaListDto extends createZodDto(replicaListSchema) {}

const topicPath = z.object({ cluster_id: z.string().min(1), topic_name: z.string().min(1) });
export class TopicPathDto extends createZodDto(topicPath) {}
export class TopicPartitionPathDto extends createZodDto(topicPath.extend({ partition_id: z.coerce.number().int().min(0) })) {}
