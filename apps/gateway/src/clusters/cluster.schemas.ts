import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { collectionMetadataSchema, relatedSchema, resourceMetadataSchema } from '../http/resource-links';

export const clusterSchema = z
  .object({
    kind: z.literal('KafkaCluster'),
    metadata: resourceMetadataSchema,
    cluster_id: z.string(),
    controller: relatedSchema.nullable(),
    brokers: relatedSchema,
    consumer_groups: relatedSchema,
    topics: relatedSchema,
  })
  ;

export const clusterListSchema = z.object({ kind: z.literal('KafkaClusterList'), metadata: collectionMetadataSchema, data: z.array(clusterSchema) });

export const brokerSchema = z
  .object({
    kind: z.literal('KafkaBroker'),
    metadata: resourceMetadataSchema,
    cluster_id: z.string(),
    broker_id: z.number().int(),
    host: z.string(),
    port: z.number().int(),
    rack: z.string().nullable(),
  })
  ;

export const brokerListSchema = z.object({ kind: z.literal('KafkaBrokerList'), metadata: collectionMetadataSchema, data: z.array(brokerSchema) });

export class ClusterDto extends createZodDto(clusterSchema) {}
export class ClusterListDto extends createZodDto(clusterListSchema) {}
export class BrokerDto extends createZodDto(brokerSchema) {}
export class BrokerListDto extends createZodDto(brokerListSchema) {}

export const clusterPathSchema = z.object({ cluster_id: z.string().min(1) });
export class ClusterPathDto extends createZodDto(clusterPathSchema) {}
export class BrokerPathDto extends createZodDto(clusterPathSchema.extend({ broker_id: z.coerce.number().int().min(0) })) {}
