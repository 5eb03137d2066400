import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { collectionMetadataSchema, resourceMetadataSchema } from '../http/resource-links';

export const topicConfigSchema = z.object({
  kind: z.literal('KafkaTopicConfig'),
  metadata: resourceMetadataSchema,
  cluster_id: z.string(),
  topic_name: z.string(),
  name: z.string(),
  value: z.string().nullable(),
  is_default: z.boolean(),
  is_read_only: z.boolean(),
  is_sensitive: z.boolean(),
  source: z.string().describe('DYNAMIC_TOPIC_CONFIG, DEFAULT_CONFIG, STATIC_BROKER_CONFIG, ...'),
});

export const topicConfigListSchema = z.object({ kind: z.literal('KafkaTopicConfigList'), metadata: collectionMetadataSchema, data: z.array(topicConfigSchema) });

/** Configs changed in one configs:alter request. */
const MAX_ALTERED_CONFIGS = 200;

export const alterConfigsSchema = z.strictObject({
  data: z
    .array(z.strictObject({ name: z.string().min(1), value: z.string().optional(), operation: z.enum(['SET', 'DELETE']).default('SET').describe('DELETE resets the config to its default') }))
    .min(1)
    .max(MAX_ALTERED_CONFIGS)
    .superRefine((entries, ctx) => {
      entries.forEach((entry, i) => {
        if (entry.operation === 'SET' && entry.value === undefined) ctx.addIssue({ code: 'custom', path: [i, 'value'], message: `SET of ${entry.name} needs a value` });
      });
    }),
  validate_only: z.boolean().default(false),
});

export const updateConfigSchema = z.strictObject({ value: z.string() });

export class TopicConfigDto extends createZodDto(topicConfigSchema) {}
export class TopicConfigListDto extends createZodDto(topicConfigListSchema) {}
export class AlterConfigsDto extends createZodDto(alterConfigsSchema) {}
export class UpdateConfigDto extends createZodDto(updateConfigSchema) {}
export class TopicConfigPathDto extends createZodDto(z.object({ cluster_id: z.string().min(1), topic_name: z.string().min(1), name: z.string().min(1) })) {}
