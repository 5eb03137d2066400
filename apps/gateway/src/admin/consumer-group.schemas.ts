import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { collectionMetadataSchema, relatedSchema, resourceMetadataSchema } from '../http/resource-links';

export const consumerGroupSchema = z.object({
  kind: z.literal('KafkaConsumerGroup'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  consumer_group_id: z.string(),
  is_simple: z.boolean().describe('true for groups that only commit offsets (no members, no protocol)'),
  partition_assignor: z.string(),
  state: z.string().describe('Empty, PreparingRebalance, CompletingRebalance, Stable or Dead'),
  consumers: relatedSchema,
  lag_summary: relatedSchema,
});

export const consumerGroupListSchema = z.object({ kind: z.literal('KafkaConsumerGroupList'), metadata: collectionMetadataSchema, data: z.array(consumerGroupSchema) });

export const consumerSchema = z.object({
  kind: z.literal('KafkaConsumer'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  consumer_group_id: z.string(),
  consumer_id: z.string(),
  instance_id: z.string().nullable(),
  client_id: z.string(),
  host: z.string(),
  assignments: relatedSchema,
});

export const consumerListSchema = z.object({ kind: z.literal('KafkaConsumerList'), metadata: collectionMetadataSchema, data: z.array(consumerSchema) });

export const consumerAssignmentSchema = z.object({
  kind: z.literal('KafkaConsumerAssignment'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  consumer_group_id: z.string(),
  consumer_id: z.string(),
  topic_name: z.string(),
  partition_id: z.number().int(),
  partition: relatedSchema,
});

export const consumerAssignmentListSchema = z.object({ kind: z.literal('KafkaConsumerAssignmentList'), metadata: collectionMetadataSchema, data: z.array(consumerAssignmentSchema) });

export const consumerLagSchema = z.object({
  kind: z.literal('KafkaConsumerLag'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  consumer_group_id: z.string(),
  topic_name: z.string(),
  partition_id: z.number().int(),
  current_offset: z.number().int().describe('The committed offset'),
  log_end_offset: z.number().int().nullable().describe('The high watermark; null when the topic is gone'),
  lag: z.number().int().nullable(),
  consumer_id: z.string().describe('The member the partition is assigned to; empty when none'),
  instance_id: z.string().nullable(),
  client_id: z.string(),
});

export const consumerLagListSchema = z.object({ kind: z.literal('KafkaConsumerLagList'), metadata: collectionMetadataSchema, data: z.array(consumerLagSchema) });

export const lagSummarySchema = z.object({
  kind: z.literal('KafkaConsumerGroupLagSummary'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  consumer_group_id: z.string(),
  max_lag_consumer_id: z.string(),
  max_lag_instance_id: z.string().nullable(),
  max_lag_client_id: z.string(),
  max_lag_topic_name: z.string(),
  max_lag_partition_id: z.number().int(),
  max_lag: z.number().int(),
  total_lag: z.number().int(),
});

export class ConsumerGroupDto extends createZodDto(consumerGroupSchema) {}
export class ConsumerGroupListDto extends createZodDto(consumerGroupListSchema) {}
export class ConsumerListDto extends createZodDto(consumerListSchema) {}
export class ConsumerAssignmentListDto extends createZodDto(consumerAssignmentListSchema) {}
export class ConsumerLagListDto extends createZodDto(consumerLagListSchema) {}
export class LagSummaryDto extends createZodDto(lagSummarySchema) {}

const groupPath = z.object({ cluster_id: z.string().min(1), consumer_group_id: z.string().min(1) });
export class GroupPathDto extends createZodDto(groupPath) {}
export class GroupConsumerPathDto extends createZodDto(groupPath.extend({ consumer_id: z.string().min(1) })) {}
