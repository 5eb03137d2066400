import { port, voterList } from '@tributary/platform';
import { z } from 'zod';

/** Gateway settings: flags (--http-port 8080), env (GATEWAY_HTTP_PORT) or a JSON file (--config). */
export const gatewayConfigSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  httpPort: port().default(8080),
  /** Kafka bootstrap brokers: id@host:port,... */
  brokers: voterList().default([{ id: 1, host: '127.0.0.1', port: 9092 }]),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
