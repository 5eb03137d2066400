import { Admin, ClusterClient, splitAddress } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { CliError } from './cli-errors';

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

/** Options of the root command, valid before or after any subcommand. */
export interface GlobalOptions {
  bootstrap: string;
  verbose: boolean;
}

/** A connected client and an admin on it; `close()` releases both. */
export interface CliCluster {
  client: ClusterClient;
  admin: Admin;
  bootstrap: string;
}

/** A CLI command is short-lived: fail fast when a broker does not answer rather than wait 10 s. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The bootstrap list as host:port strings; a malformed entry is a usage error. */
export function bootstrapBrokers(bootstrap: string): string[] {
  const brokers = bootstrap
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (brokers.length === 0) throw new CliError('--bootstrap is empty: give host:port[,host:port...]', 2);
  for (const broker of brokers) {
    try {
      splitAddress(broker);
    } catch {
      throw new CliError(`--bootstrap "${broker}" is not host:port (for example 127.0.0.1:9092)`, 2);
    }
  }
  return brokers;
}

/** Connects to the first bootstrap broker that answers, runs `work`, and always closes the client. */
export async function withCluster<T>(options: GlobalOptions, work: (cluster: CliCluster) => Promise<T>): Promise<T> {
  const client = new ClusterClient({ brokers: bootstrapBrokers(options.bootstrap), clientId: 'tributary-cli', connectTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new CliError(`cannot reach the cluster at ${options.bootstrap} (${connectFailure(error)}); is it running? Start one with 'npm start', or point --bootstrap / TRIBUTARY_BOOTSTRAP at a broker`);
    }
    return await work({ client, admin: new Admin(client, { retries: 3 }), bootstrap: options.bootstrap });
  } finally {
    await client.close();
  }
}

/** The topic's metadata; a topic that does not exist is a CliError that says how to find or create one. */
export async function requireTopic(client: ClusterClient, topic: string): Promise<{ partitions: number }> {
  try {
    const info = await client.topic(topic);
    return { partitions: info.partitions.length };
  } catch (error) {
    if (error instanceof KafkaProtocolError && error.code === 3) {
      throw new CliError(`topic "${topic}" does not exist; see the topics with 'tributary topics list' or create it with 'tributary topics create ${topic}'`);
    }
    throw error;
  }
}

/** The reasons of a failed bootstrap without the repeated addresses ("connect ECONNREFUSED 127.0.0.1:1"). */
function connectFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/^no broker reachable \([^)]*\): /, '')
    .split('; ')
    .map((failure) => failure.replace(/^cannot connect to \S+: /, ''))
    .join('; ');
}
