import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { consumedRecordSchema, recordFormatSchema } from '../consume/consumed-record.schemas';

/** Topics one instance may subscribe to. */
export const MAX_SUBSCRIBED_TOPICS = 100;
/** Records one poll returns. */
export const MAX_POLL_RECORDS = 10_000;
/** Longest a poll waits for records. */
export const MAX_POLL_TIMEOUT_MS = 30_000;

const name = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-", at most 100');

export const createInstanceSchema = z.object({
  name: name.optional().describe('Default: a random id'),
  auto_offset_reset: z.enum(['earliest', 'latest']).default('latest').describe('Where to start on partitions the group has no committed offset for'),
  auto_commit: z.boolean().default(false).describe('Commit what each poll returns, as it returns it'),
  format: recordFormatSchema,
});

export const instanceSchema = z.object({
  group_id: z.string(),
  instance_id: z.string(),
  base_uri: z.string().describe('URL of the instance: append /subscription, /records, /offsets, /assignments'),
  format: z.enum(['binary', 'string', 'json']),
  auto_commit: z.boolean(),
});

export const subscriptionSchema = z.object({ topics: z.array(z.string().min(1)).min(1).max(MAX_SUBSCRIBED_TOPICS) });

export const pollQuerySchema = z.object({
  max_records: z.coerce.number().int().min(1).max(MAX_POLL_RECORDS).default(500),
  timeout_ms: z.coerce.number().int().min(0).max(MAX_POLL_TIMEOUT_MS).default(1_000).describe('How long to wait when nothing is buffered'),
});

export const polledRecordsSchema = z.object({ records: z.array(consumedRecordSchema) });

const topicPartitionOffset = z.object({ topic_name: z.string().min(1), partition_id: z.number().int().min(0), offset: z.number().int().min(0).describe("The next offset to read (Kafka's committed offset)") });

export const commitRequestSchema = z.object({
  offsets: z.array(topicPartitionOffset).max(10_000).optional().describe('Default: the position after the last record each partition returned'),
});

export const committedOffsetsSchema = z.object({ offsets: z.array(topicPartitionOffset) });

export const assignmentsSchema = z.object({ partitions: z.array(z.object({ topic_name: z.string(), partition_id: z.number().int() })) });

export class CreateInstanceDto extends createZodDto(createInstanceSchema) {}
export class InstanceDto extends createZodDto(instanceSchema) {}
export class SubscriptionDto extends createZodDto(subscriptionSchema) {}
export class PollQueryDto extends createZodDto(pollQuerySchema) {}
export class PolledRecordsDto extends createZodDto(polledRecordsSchema) {}
export class CommitRequestDto extends createZodDto(commitRequestSchema) {}
export class CommittedOffsetsDto extends createZodDto(committedOffsetsSchema) {}
export class AssignmentsDto extends createZodDto(assignmentsSchema) {}
export class GroupPathDto extends createZodDto(z.object({ group_id: z.string().min(1).max(255) })) {}
export class InstancePathDto extends createZodDto(z.object({ group_id: z.string().min(1).max(255), instance_id: name })) {}
