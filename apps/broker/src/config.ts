import { nodeId, port, voterList } from '@tributary/platform';
import { z } from 'zod';

/** Broker settings: flags (--node-id 1), env (BROKER_NODE_ID=1) or a JSON file (--config). */
export const brokerConfigSchema = z.object({
  nodeId: nodeId().default(1),
  /** The controller quorum to register with and follow: id@host:port,... */
  controllers: voterList().default([{ id: 1, host: '127.0.0.1', port: 9093 }]),
  dataDir: z.string().min(1).default('./data/broker-1'),
  /** The Kafka listener. */
  host: z.string().min(1).default('127.0.0.1'),
  kafkaPort: port().default(9092),
  /** What clients are told to connect to (defaults to host:kafkaPort). */
  advertisedHost: z.string().min(1).optional(),
  advertisedPort: port().optional(),
  rack: z.string().min(1).optional(),
  httpPort: port().default(9645),
  autoCreateTopics: z.stringbool().default(true),
  minInsyncReplicas: z.coerce.number().int().min(1).default(1),
  /**
   * SASL/PLAIN users, "name:password,name2:password2" (or an object in the config file). When
   * set, the listener requires a SASL login before any request but ApiVersions.
   */
  saslPlainUsers: z.union([z.record(z.string().min(1), z.string().min(1)), z.string().transform(parseUserList)]).optional(),
  /** The user (one of saslPlainUsers) this broker logs in as to replicate from leaders; a super user. */
  saslInterBrokerUser: z.string().min(1).optional(),
  /** Enforce ACLs (authorizer.class.name set, in Kafka terms). */
  authorizerEnabled: z.stringbool().default(false),
  /** super.users: principals allowed everything, "User:admin,User:ops". */
  superUsers: z.union([z.array(z.string()), z.string().transform((v) => v.split(',').map((p) => p.trim()).filter((p) => p.length > 0))]).default([]),
  /** allow.everyone.if.no.acl.found */
  allowEveryoneIfNoAclFound: z.stringbool().default(false),
  /** transaction.state.log.num.partitions: partitions of __transaction_state when it is created. */
  transactionStateTopicPartitions: z.coerce.number().int().min(1).max(1000).default(50),
  /** transaction.max.timeout.ms: producers asking for a longer transaction timeout are refused. */
  transactionMaxTimeoutMs: z.coerce.number().int().min(1).default(900_000),
  /** transactional.id.expiration.ms: a transactional id idle this long is forgotten. */
  transactionalIdExpirationMs: z.coerce.number().int().min(1).default(7 * 24 * 3600 * 1000),
  /** log.cleaner.backoff.ms: how often the dirtiest compacted partition is cleaned (one per run). */
  logCleanerBackoffMs: z.coerce.number().int().min(1).default(15_000),
  /** OTLP/HTTP collector base URL (http://host:4318) for traces; unset: no tracing at all. */
  otlpEndpoint: z.url().optional(),
}).superRefine((config, ctx) => {
  if (config.saslInterBrokerUser && !config.saslPlainUsers?.[config.saslInterBrokerUser]) {
    ctx.addIssue({ code: 'custom', path: ['saslInterBrokerUser'], message: `'${config.saslInterBrokerUser}' is not one of saslPlainUsers` });
  }
  if (config.saslPlainUsers && !config.saslInterBrokerUser) {
    ctx.addIssue({ code: 'custom', path: ['saslInterBrokerUser'], message: 'a SASL listener needs saslInterBrokerUser: the login this broker replicates with' });
  }
});

/** "alice:secret,bob:pw" as { alice: 'secret', bob: 'pw' }; a password may itself contain ':'. */
function parseUserList(value: string, ctx: z.RefinementCtx): Record<string, string> {
  const users: Record<string, string> = {};
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      ctx.addIssue({ code: 'custom', message: `'${entry.split(':')[0]}' must be written name:password` });
      return z.NEVER;
    }
    users[entry.slice(0, colon)] = entry.slice(colon + 1);
  }
  return users;
}

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
