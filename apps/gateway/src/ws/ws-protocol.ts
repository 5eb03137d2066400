import { z } from 'zod';
import { WS_LIMITS } from './ws-limits';

/**
 * The JSON frames of /v1/ws (docs/websocket.md): the client's frames as zod schemas, so that a
 * bad frame is answered with an error naming the field, and the server's frames as types.
 */

export const DATA_FORMATS = ['string', 'json', 'binary'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const HEADER_FORMATS = ['string', 'binary'] as const;
export type HeaderFormat = (typeof HEADER_FORMATS)[number];

// Kafka's own rule for topic names (Topic.java): legal characters and at most 249 of them
const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a topic name is 1-249 characters of [a-zA-Z0-9._-]');
const id = z.string().min(1).max(WS_LIMITS.maxIdLength);
const offset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const partition = z.number().int().min(0).max(2 ** 31 - 1);
/** Milliseconds since the epoch, or an RFC 3339 time. */
const timestamp = z.union([
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
], { error: 'expected milliseconds since the epoch or an RFC 3339 time' });

export const startPositionSchema = z.union([z.enum(['earliest', 'latest']), z.strictObject({ offset }), z.strictObject({ timestamp })], {
  error: 'expected "earliest", "latest", {"offset": n} or {"timestamp": ms or RFC 3339}',
});
export type StartPosition = z.infer<typeof startPositionSchema>;

const subscribeSchema = z
  .strictObject({
    type: z.literal('subscribe'),
    id,
    /** With a group: the group's topics. Without: every partition of these topics. */
    topics: z.array(topicName).min(1).max(WS_LIMITS.maxTopicsPerSubscription).optional(),
    /** Direct partitions; an offset here (the first to deliver) overrides `from` for that partition. */
    partitions: z
      .array(z.strictObject({ topic: topicName, partition, offset: offset.optional() }))
      .min(1)
      .max(WS_LIMITS.maxPartitionsPerSubscription)
      .optional(),
    group: z.string().min(1).max(249).optional(),
    from: startPositionSchema.default('latest'),
    credit: z.number().int().min(0).max(WS_LIMITS.maxCredit).default(0),
    key_format: z.enum(DATA_FORMATS).default('string'),
    value_format: z.enum(DATA_FORMATS).default('string'),
    header_format: z.enum(HEADER_FORMATS).default('string'),
  })
  .superRefine((frame, context) => {
    if (!frame.topics && !frame.partitions) context.addIssue({ code: 'custom', path: ['topics'], message: 'subscribe needs topics or partitions' });
    if (frame.group !== undefined && frame.partitions) context.addIssue({ code: 'custom', path: ['partitions'], message: 'a group subscription takes topics; the group assigns their partitions' });
    // a group starts where it committed; `from` is only its reset policy, as auto.offset.reset is in Kafka
    if (frame.group !== undefined && typeof frame.from !== 'string') context.addIssue({ code: 'custom', path: ['from'], message: 'a group subscription starts from its committed offsets, else from "earliest" or "latest"' });
  });
export type SubscribeFrame = z.infer<typeof subscribeSchema>;

const creditSchema = z.strictObject({ type: z.literal('credit'), id, records: z.number().int().min(1).max(WS_LIMITS.maxCredit) });
export type CreditFrame = z.infer<typeof creditSchema>;

const ackSchema = z.strictObject({
  type: z.literal('ack'),
  id,
  /** Each offset is that of the last record processed in its partition: it and every earlier one are done. */
  offsets: z.array(z.strictObject({ topic: topicName, partition, offset })).min(1).max(WS_LIMITS.maxAckOffsetsPerFrame),
});
export type AckFrame = z.infer<typeof ackSchema>;

const unsubscribeSchema = z.strictObject({ type: z.literal('unsubscribe'), id });
export type UnsubscribeFrame = z.infer<typeof unsubscribeSchema>;

const produceSchema = z.strictObject({
  type: z.literal('produce'),
  id,
  topic: topicName,
  partition: partition.optional(),
  /** Absent or null: a null key (or a null value, a tombstone). Otherwise encoded as key_format / value_format say. */
  key: z.unknown().optional(),
  value: z.unknown().optional(),
  headers: z
    .array(z.strictObject({ name: z.string().min(1).max(1024), value: z.string().nullable() }))
    .max(256)
    .optional(),
  timestamp: timestamp.optional(),
  /** W3C trace context of the producing span; stored as the record's `traceparent` header. */
  traceparent: z.string().max(128).optional(),
  key_format: z.enum(DATA_FORMATS).default('string'),
  value_format: z.enum(DATA_FORMATS).default('string'),
  header_format: z.enum(HEADER_FORMATS).default('string'),
});
export type ProduceFrame = z.infer<typeof produceSchema>;

export type ClientFrame = SubscribeFrame | CreditFrame | AckFrame | UnsubscribeFrame | ProduceFrame;

const schemas = { subscribe: subscribeSchema, credit: creditSchema, ack: ackSchema, unsubscribe: unsubscribeSchema, produce: produceSchema } as const;
const FRAME_TYPES = Object.keys(schemas) as (keyof typeof schemas)[];

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** One consumed record as delivered; key, value and header values are encoded as the subscription asked. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: number;
  /** RFC 3339 */
  timestamp: string;
  key: unknown;
  value: unknown;
  headers: { name: string; value: string | null }[];
  /** The record's W3C `traceparent` header, lifted out so a consumer continues the producer's trace. */
  traceparent?: string;
  /** Present when a key or value could not be decoded as asked (not UTF-8, not JSON): then it is base64. */
  key_format?: 'binary';
  value_format?: 'binary';
}

export type ServerFrame =
  | { type: 'subscribed'; id: string; group?: string; topics?: string[]; partitions?: TopicPartitionOffset[] }
  | { type: 'records'; id: string; records: Delivery[] }
  | { type: 'committed'; id: string; offsets: TopicPartitionOffset[] }
  | { type: 'unsubscribed'; id: string; reason?: string }
  | { type: 'produced'; id: string; topic: string; partition: number; offset: number; timestamp: string }
  | ErrorFrame;

export interface ErrorFrame {
  type: 'error';
  /** The subscription or produce message the error is about; absent for socket-level errors. */
  id?: string;
  /** HTTP-style: 400 bad frame, 404 unknown topic, 409 id in use, 413 too large, 422 unusable data, 429 a limit, 503 cluster unavailable. */
  error_code: number;
  message: string;
}

/** A parsed frame, an error to answer (the socket stays open), or a malformed frame (the socket closes). */
export type ParsedFrame = { frame: ClientFrame } | { error: ErrorFrame } | { malformed: string };

/** Parses and validates one text frame. */
export function parseClientFrame(text: string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { malformed: `not JSON: ${(error as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { malformed: 'a frame is a JSON object' };
  const fields = json as Record<string, unknown>;
  const frameId = typeof fields.id === 'string' && fields.id.length <= WS_LIMITS.maxIdLength ? fields.id : undefined;
  const type = fields.type;
  if (typeof type !== 'string' || !(FRAME_TYPES as string[]).includes(type)) {
    return { error: { type: 'error', id: frameId, error_code: 400, message: `type: expected one of ${FRAME_TYPES.join(', ')}, got ${JSON.stringify(type ?? null)}` } };
  }
  const parsed = schemas[type as keyof typeof schemas].safeParse(json);
  if (parsed.success) return { frame: parsed.data };
  const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : type}: ${issue.message}`);
  return { error: { type: 'error', id: frameId, error_code: 400, message: problems.join('; ') } };
}
