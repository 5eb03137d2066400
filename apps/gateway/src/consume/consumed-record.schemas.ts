import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** How keys and values are rendered: base64 (any bytes), UTF-8 text, or parsed JSON. */
export const RECORD_FORMATS = ['binary', 'string', 'json'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export const recordFormatSchema = z.enum(RECORD_FORMATS).default('binary').describe('binary: base64; string: UTF-8; json: parsed (422 if a key or value is not JSON)');

export const consumedRecordSchema = z.object({
  topic_name: z.string(),
  partition_id: z.number().int(),
  offset: z.number().int(),
  timestamp: z.string().describe('RFC 3339'),
  key: z.unknown().describe('null, or the key in the requested format'),
  value: z.unknown().describe('null, or the value in the requested format'),
  headers: z.array(z.object({ name: z.string(), value: z.string().nullable().describe('base64') })),
});
export type ConsumedRecordBody = z.infer<typeof consumedRecordSchema>;

/** Records read from one partition, and where to continue. */
export const partitionRecordsSchema = z.object({
  topic_name: z.string(),
  partition_id: z.number().int(),
  records: z.array(consumedRecordSchema),
  next_offset: z.number().int().describe('The offset to ask for next'),
  high_watermark: z.number().int().describe('The offset after the last committed record of the partition'),
});

/** Records fetched in one read. */
export const MAX_RECORDS_PER_READ = 10_000;
/** Longest wait for records to arrive. */
export const MAX_READ_TIMEOUT_MS = 30_000;

export const partitionRecordsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).optional().describe('First offset to read; default the log start'),
  max_records: z.coerce.number().int().min(1).max(MAX_RECORDS_PER_READ).default(500),
  max_bytes: z.coerce.number().int().min(1).max(64 * 1024 * 1024).default(1024 * 1024).describe('Fetch size (at least one batch is returned, as in Kafka)'),
  timeout_ms: z.coerce.number().int().min(0).max(MAX_READ_TIMEOUT_MS).default(0).describe('How long to wait when there is nothing at the offset yet'),
  format: recordFormatSchema,
});

export class PartitionRecordsDto extends createZodDto(partitionRecordsSchema) {}
export class PartitionRecordsQueryDto extends createZodDto(partitionRecordsQuerySchema) {}
export class PartitionPathDto extends createZodDto(z.object({ topic_name: z.string().min(1), partition_id: z.coerce.number().int().min(0) })) {}
