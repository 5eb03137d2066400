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
});

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
