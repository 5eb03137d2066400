import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';

/** Formats that need a schema registry: accepted by the shape, refused with a clear 400. */
const SCHEMA_REGISTRY_TYPES = ['AVRO', 'JSONSCHEMA', 'PROTOBUF'] as const;
export const DATA_TYPES = ['JSON', 'STRING', 'BINARY', ...SCHEMA_REGISTRY_TYPES] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Entries in one records:batch request. */
export const MAX_BATCH_ENTRIES = 10_000;
/** Headers on one record. */
export const MAX_HEADERS = 256;

export const produceDataSchema = z
  .object({
    type: z.enum(DATA_TYPES).default('JSON').describe('How `data` becomes bytes: JSON (serialized), STRING (UTF-8) or BINARY (base64)'),
    data: z.unknown().optional().describe('A JSON value for JSON, a string for STRING, base64 for BINARY'),
    subject: z.string().optional(),
    schema_id: z.number().int().optional(),
    schema_version: z.number().int().optional(),
  })
  .superRefine((value, ctx) => {
    if ((SCHEMA_REGISTRY_TYPES as readonly string[]).includes(value.type) || value.subject !== undefined || value.schema_id !== undefined || value.schema_version !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${value.type} and schema references need a schema registry, which this gateway does not have; use JSON, STRING or BINARY` });
    } else if ((value.type === 'STRING' || value.type === 'BINARY') && typeof value.data !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['data'], message: `${value.type} data must be a string${value.type === 'BINARY' ? ' (base64)' : ''}` });
    }
  })
  ;

export const produceHeaderSchema = z
  .object({ name: z.string().min(1), value: z.string().nullable().optional().describe('base64, or null') })
  ;

const recordShape = {
  partition_id: z.number().int().min(0).optional().describe('Default: by the key (murmur2, as the Java client), or sticky without a key'),
  headers: z.array(produceHeaderSchema).max(MAX_HEADERS).optional(),
  key: produceDataSchema.nullable().optional(),
  value: produceDataSchema.nullable().optional().describe('Absent or null: a tombstone'),
  timestamp: z.iso.datetime({ offset: true }).optional().describe('RFC 3339 create time; default now'),
};

export const produceRequestSchema = z.object(recordShape);
export type ProduceRequest = z.infer<typeof produceRequestSchema>;

const dataSizeSchema = z.object({ type: z.enum(DATA_TYPES), size: z.number().int() }).nullable();

export const produceResponseSchema = z
  .object({
    error_code: z.literal(200),
    cluster_id: z.string(),
    topic_name: z.string(),
    partition_id: z.number().int(),
    offset: z.number().int(),
    timestamp: z.string().describe('RFC 3339'),
    key: dataSizeSchema,
    value: dataSizeSchema,
  })
  ;
export type ProduceResponse = z.infer<typeof produceResponseSchema>;

export const produceBatchRequestSchema = z
  .object({
    entries: z
      .array(z.object({ id: z.string().min(1).max(80), ...recordShape }))
      .min(1)
      .max(MAX_BATCH_ENTRIES)
      .superRefine((entries, ctx) => {
        const seen = new Set<string>();
        for (let i = 0; i < entries.length; i++) {
          if (seen.has(entries[i].id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${entries[i].id}"` });
          seen.add(entries[i].id);
        }
      }),
  })
  ;

export type ProduceBatchRequest = z.infer<typeof produceBatchRequestSchema>;

export const produceBatchResponseSchema = z
  .object({
    successes: z.array(produceResponseSchema.omit({ error_code: true }).extend({ id: z.string() })),
    failures: z.array(z.object({ id: z.string(), error_code: z.number().int(), message: z.string() })),
  })
  ;
export type ProduceBatchResponse = z.infer<typeof produceBatchResponseSchema>;

export class ProduceRequestDto extends createZodDto(produceRequestSchema) {}
export class ProduceResponseDto extends createZodDto(produceResponseSchema) {}
export class ProduceBatchRequestDto extends createZodDto(produceBatchRequestSchema) {}
export class ProduceBatchResponseDto extends createZodDto(produceBatchResponseSchema) {}
export class TopicRecordsPathDto extends createZodDto(z.object({ cluster_id: z.string().min(1), topic_name: z.string().min(1) })) {}
