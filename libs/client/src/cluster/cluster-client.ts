import { KafkaProtocolError, kafkaErrorByCode } from '@tributary/protocol';
import { ConnectionError, KafkaConnection, SaslPlainCredentials } from '../network/kafka-connection';

export interface ClientOptions {
  /** Bootstrap brokers, "host:port"; any one that answers is enough. */
  brokers: string[];
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Refresh cached metadata at least this often (metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
  /** Requests in flight per broker connection. */
  maxInFlightPerBroker?: number;
  /** SASL/PLAIN login for brokers whose listener requires it. */
  sasl?: SaslPlainCredentials | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  name: string;
  topicId: string;
  partitions: PartitionInfo[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** Kafka error codes after which cached metadata is stale: refresh, then retry. */
const STALE_METADATA_ERRORS = new Set([3, 5, 6, 74, 75]); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH

export function isStaleMetadataError(code: number): boolean {
  return STALE_METADATA_ERRORS.has(code);
}

/** A broker error as a typed exception (code, name, retriable flag from Kafka's table). */
export function kafkaError(code: number, context: string, message?: string | null): KafkaProtocolError {
  const info = kafkaErrorByCode(code);
  return new KafkaProtocolError(code, `${context}: ${info.name}${message ? ` (${message})` : ''}`);
}

/**
 * The client's view of the cluster: bootstrap, cached metadata (brokers, topics, leaders), and
 * one pooled connection per broker. Producers, consumers and the admin client share it.
 */
export class ClusterClient {
  private readonly connections = new Map<number, Promise<KafkaConnection>>();
  private bootstrapConnection: KafkaConnection | null = null;
  private brokers = new Map<number, BrokerInfo>();
  private readonly topics = new Map<string, { info: TopicInfo; fetchedAt: number }>();
  private refreshing: Promise<void> | null = null;
  private closed = false;
  clusterId: string | null = null;
  controllerId = -1;
  readonly options: Required<ClientOptions>;

  constructor(options: ClientOptions) {
    if (options.brokers.length === 0) throw new RangeError('at least one bootstrap broker is needed');
    this.options = { clientId: 'tributary', connectTimeoutMs: 10_000, requestTimeoutMs: 30_000, metadataMaxAgeMs: 300_000, maxInFlightPerBroker: 32, sasl: null, ...options };
  }

  /** Connects to the first bootstrap broker that answers and loads the broker list. */
  async connect(): Promise<void> {
    await this.refresh([]);
  }

  brokerList(): BrokerInfo[] {
    return [...this.brokers.values()];
  }

  /** Metadata of `topic`, from the cache unless stale; `autoCreate` asks the broker to create it. */
  async topic(name: string, autoCreate = false): Promise<TopicInfo> {
    const cached = this.topics.get(name);
    if (cached && Date.now() - cached.fetchedAt < this.options.metadataMaxAgeMs) return cached.info;
    await this.refresh([name], autoCreate);
    const fresh = this.topics.get(name);
    if (!fresh) throw kafkaError(3, `topic ${name}`);
    return fresh.info;
  }

  /** The cached topic without I/O (undefined when not loaded yet). */
  cachedTopic(name: string): TopicInfo | undefined {
    return this.topics.get(name)?.info;
  }

  /** Forgets a topic's metadata so the next use reloads it (after NOT_LEADER and similar errors). */
  invalidate(topic: string): void {
    this.topics.delete(topic);
  }

  /** Reloads metadata for `topics` (all known topics when empty and some are cached). Concurrent calls share one request. */
  async refresh(topics: string[] = [...this.topics.keys()], autoCreate = false): Promise<void> {
    while (this.refreshing) await this.refreshing;
    this.refreshing = this.loadMetadata(topics, autoCreate).finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
  }

  /** The pooled connection to broker `nodeId`. */
  connection(nodeId: number): Promise<KafkaConnection> {
    if (this.closed) return Promise.reject(new ConnectionError('client is closed'));
    const existing = this.connections.get(nodeId);
    if (existing) return existing;
    const broker = this.brokers.get(nodeId);
    if (!broker) return Promise.reject(kafkaError(5, `broker ${nodeId} is not in the metadata`));
    const connecting = (async () => {
      const connection = new KafkaConnection({
        host: broker.host,
        port: broker.port,
        clientId: this.options.clientId,
        connectTimeoutMs: this.options.connectTimeoutMs,
        requestTimeoutMs: this.options.requestTimeoutMs,
        maxInFlight: this.options.maxInFlightPerBroker,
        sasl: this.options.sasl,
      });
      await connection.connect();
      return connection;
    })();
    this.connections.set(nodeId, connecting);
    connecting.catch(() => this.connections.delete(nodeId));
    return connecting;
  }

  /** Drops a broken connection so the next request reconnects. */
  dropConnection(nodeId: number, connection?: KafkaConnection): void {
    const entry = this.connections.get(nodeId);
    if (!entry) return;
    void entry.then((c) => {
      if (connection && c !== connection) return;
      c.close();
      if (this.connections.get(nodeId) === entry) this.connections.delete(nodeId);
    }, () => undefined);
  }

  /** A connection to any live broker (for cluster-wide requests). */
  async anyConnection(): Promise<KafkaConnection> {
    const ids = [...this.brokers.keys()];
    let lastError: unknown = null;
    for (const id of ids) {
      try {
        const connection = await this.connection(id);
        if (connection.connected) return connection;
        this.dropConnection(id, connection);
      } catch (error) {
        lastError = error;
      }
    }
    return this.bootstrap(lastError);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bootstrapConnection?.close();
    for (const entry of this.connections.values()) void entry.then((c) => c.close(), () => undefined);
    this.connections.clear();
  }

  private async bootstrap(previous: unknown = null): Promise<KafkaConnection> {
    if (this.bootstrapConnection?.connected) return this.bootstrapConnection;
    const failures: string[] = previous instanceof Error ? [previous.message] : [];
    for (const address of this.options.brokers) {
      const [host, port] = splitAddress(address);
      const connection = new KafkaConnection({ host, port, clientId: this.options.clientId, connectTimeoutMs: this.options.connectTimeoutMs, requestTimeoutMs: this.options.requestTimeoutMs, sasl: this.options.sasl });
      try {
        await connection.connect();
        this.bootstrapConnection = connection;
        return connection;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    throw new ConnectionError(`no broker reachable (${this.options.brokers.join(', ')}): ${failures.join('; ')}`);
  }

  private async loadMetadata(topics: string[], autoCreate: boolean): Promise<void> {
    if (this.closed) throw new ConnectionError('client is closed');
    const connection = this.brokers.size > 0 ? await this.anyConnection() : await this.bootstrap();
    const response = await connection.request(3, {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: autoCreate,
      includeTopicAuthorizedOperations: false,
    });
    this.brokers = new Map(response.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]));
    this.clusterId = response.clusterId;
    this.controllerId = response.controllerId;
    const now = Date.now();
    for (const topic of response.topics) {
      if (!topic.name) continue;
      if (topic.errorCode !== 0) {
        this.topics.delete(topic.name);
        if (topics.length === 1 && !isStaleMetadataError(topic.errorCode)) throw kafkaError(topic.errorCode, `topic ${topic.name}`);
        continue;
      }
      const partitions = topic.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(topic.name, { info: { name: topic.name, topicId: topic.topicId, partitions }, fetchedAt: now });
    }
  }
}

export function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad broker address "${address}" (expected host:port)`);
  return [address.slice(0, at), port];
}
