import { port, voterList } from '@tributary/platform';
import { z } from 'zod';

/**
 * A structured setting that flags and env can only give as text: the value itself (from a JSON
 * config file) or its JSON encoding (from `--api-keys '[...]'` or GATEWAY_API_KEYS).
 */
function jsonSetting<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  }, schema);
}

const principal = z.string().regex(/^[A-Za-z]+:.+$/, 'a principal is Type:name, e.g. User:alice');

/** Topic names a principal may use: exact names, prefixes ending in `*`, or `*` for all. */
const topicPatterns = z.array(z.string().min(1)).default([]);

export const topicAclSchema = z.object({
  principal,
  /** Consume: range reads, consumer instances, group lag. */
  read: topicPatterns,
  /** Produce records. */
  write: topicPatterns,
  /** Create, delete and reconfigure topics. */
  admin: z.boolean().default(false),
});

export type TopicAcl = z.infer<typeof topicAclSchema>;

/** Gateway settings: flags (--http-port 8080), env (GATEWAY_HTTP_PORT) or a JSON file (--config). */
export const gatewayConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  httpPort: port().default(8080),
  /** Kafka bootstrap brokers: id@host:port,... */
  brokers: voterList().default([{ id: 1, host: '127.0.0.1', port: 9092 }]),
  /** `X-API-Key: <key>` credentials. With neither API keys nor bearer tokens, authentication is off. */
  apiKeys: jsonSetting(z.array(z.object({ key: z.string().min(8), principal }))).default([]),
  /** `Authorization: Bearer <token>` credentials. */
  bearerTokens: jsonSetting(z.array(z.object({ token: z.string().min(8), principal }))).default([]),
  /**
   * Per-principal topic permissions. Empty: every authenticated principal may do everything.
   * Otherwise a principal without an entry may do nothing (deny by default, as Kafka's authorizer).
   */
  acls: jsonSetting(z.array(topicAclSchema)).default([]),
  /** Largest request body; larger ones are answered 413. Streamed produce bodies are bounded per record. */
  maxBodyBytes: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
  /** Consumer instances alive at once across all groups; creating one more is answered 429. */
  maxConsumerInstances: z.coerce.number().int().min(1).max(10_000).default(100),
  /** A consumer instance not used for this long leaves its group and is deleted. */
  consumerInstanceIdleTimeoutMs: z.coerce.number().int().min(1_000).max(24 * 3600 * 1000).default(300_000),
  /** OTLP/HTTP collector base URL (http://host:4318) for traces; unset: no tracing at all. */
  otlpEndpoint: z.url().optional(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
