import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { SaslPlainCredentials } from '@tributary/client';
import { Telemetry } from '@tributary/platform';
import { LogManager } from '@tributary/log-engine';
import { BrokerConfig } from './config';
import { BrokerLifecycleManager } from './controller/broker-lifecycle-manager';
import { MetadataLoader } from './controller/metadata-loader';
import { QuorumChannel } from './controller/quorum-channel';
import { BrokerContext, endpointOf } from './kafka/broker-context';
import { GroupCoordinator, OFFSETS_TOPIC } from './groups/group-coordinator';
import { TransactionCoordinator } from './transactions/transaction-coordinator';
import { LocalMarkerWriter, TxnMarkerChannel } from './transactions/txn-markers';
import { KafkaRequestHandler } from './kafka/kafka-request-handler';
import { MetadataPublisher } from './metadata/metadata-publisher';
import { KafkaServer } from './network/kafka-server';
import { ProducerIdManager } from './producer/producer-id-manager';
import { KafkaLeaderEndpoint } from './replica/kafka-leader-endpoint';
import { IsrChangeSink, Partition } from './replica/partition';
import { ReplicaFetcherManager } from './replica/replica-fetcher-manager';
import { ReplicaManager } from './replica/replica-manager';
import { Authorizer } from './security/authorizer';
import { PlainAuthenticator } from './security/plain-authenticator';
import { logBatchCodec } from './storage/log-batch-codec';
import { BrokerMetrics } from './telemetry/broker-metrics';

const ISR_CHECK_INTERVAL_MS = 5_000;
const PRODUCER_SNAPSHOT_INTERVAL_MS = 60_000;
const HEARTBEAT_INTERVAL_MS = 2_000;

export interface Logger {
  log(message: unknown): void;
  warn(message: unknown): void;
}

/**
 * Everything one broker runs, assembled from plain classes: logs, replica manager, Kafka
 * listener, the metadata log follower, registration and heartbeats, replica fetchers, ISR
 * changes sent to the controller. NestJS only hosts it (health endpoints, shutdown hooks).
 */
export class BrokerRuntime {
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    readonly config: BrokerConfig,
    readonly kafkaPort: number,
    private readonly logs: LogManager,
    readonly replicas: ReplicaManager,
    private readonly fetchers: ReplicaFetcherManager,
    private readonly loader: MetadataLoader,
    private readonly lifecycle: BrokerLifecycleManager,
    private readonly server: KafkaServer,
    private readonly controller: QuorumChannel,
    private readonly groups: GroupCoordinator,
    private readonly transactions: TransactionCoordinator,
    private readonly markerChannel: TxnMarkerChannel,
  ) {}

  static async start(config: BrokerConfig, logger: Logger, telemetry: Telemetry): Promise<BrokerRuntime> {
    const metrics = new BrokerMetrics(telemetry.meter);
    const controller = new QuorumChannel(config.controllers);
    const logs = LogManager.open({
      dataDir: path.join(config.dataDir, 'logs'),
      batchCodec: logBatchCodec,
      cleanerIntervalMs: config.logCleanerBackoffMs,
      onCleanerError: (tp, error, retryAtMs) =>
        logger.warn({ msg: 'log cleaner failed; partition set aside until retry', topic: tp.topic, partition: tp.partition, error: error.message, retryAt: new Date(retryAtMs).toISOString() }),
    });
    logs.startScheduler();
    let lifecycle: BrokerLifecycleManager | null = null;
    const isrSink: IsrChangeSink = {
      proposeIsr: (partition: Partition, proposedIsr: number[]) => {
        const state = partition.leaderAndIsr;
        const topicId = loader.image.topicIdsByName.get(partition.topic);
        if (!state || !topicId || !lifecycle) return partition.onIsrRejected();
        controller
          .call('partition.alter', { brokerId: config.nodeId, brokerEpoch: lifecycle.brokerEpoch, topicId, partitionId: partition.index, leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch, newIsr: proposedIsr })
          .then((answer) => {
            if (answer.errorCode !== 0) return partition.onIsrRejected();
            metrics.isrChanged(state.isr.length, answer.isr.length);
            partition.onIsrCommitted({ leaderId: answer.leaderId, leaderEpoch: answer.leaderEpoch, partitionEpoch: answer.partitionEpoch, replicas: state.replicas, isr: answer.isr });
          })
          .catch(() => partition.onIsrRejected());
      },
    };
    const interBrokerLogin: SaslPlainCredentials | null =
      config.saslPlainUsers && config.saslInterBrokerUser ? { mechanism: 'plain', username: config.saslInterBrokerUser, password: config.saslPlainUsers[config.saslInterBrokerUser] } : null;
    const replicas = new ReplicaManager(logs, { brokerId: config.nodeId, minInsyncReplicas: config.minInsyncReplicas }, { nowMs: () => Date.now() }, isrSink);
    let context: BrokerContext | null = null;
    const fetchers = new ReplicaFetcherManager(
      replicas,
      (leaderId) => new KafkaLeaderEndpoint(config.nodeId, () => (context ? endpointOf(context, leaderId) : undefined), (topic) => loader.image.topicIdsByName.get(topic), interBrokerLogin),
      { brokerId: config.nodeId },
      (error) => logger.warn({ msg: 'replica fetcher error', error: error.message }),
    );
    const publisher = new MetadataPublisher(config.nodeId, replicas, fetchers, { log: {}, minInsyncReplicas: config.minInsyncReplicas });
    const loader = new MetadataLoader(controller, (image) => publisher.publish(image), (error) => logger.warn({ msg: 'metadata fetch failed', error: error.message }));
    const producerIds = new ProducerIdManager(controller, () => ({ brokerId: config.nodeId, brokerEpoch: lifecycle?.brokerEpoch ?? -1 }));
    const groups = new GroupCoordinator({ brokerId: config.nodeId, listenerName: 'PLAINTEXT', metadata: () => loader.image, replicas, controller });
    groups.start();
    const txnMarkers = new LocalMarkerWriter(replicas, (partition, producerId, commit) => groups.onTransactionMarker(partition, producerId, commit), OFFSETS_TOPIC);
    const markerChannel = new TxnMarkerChannel(config.nodeId, txnMarkers, () => loader.image, (brokerId) => (context ? endpointOf(context, brokerId) : undefined), interBrokerLogin);
    const transactions = new TransactionCoordinator(
      { brokerId: config.nodeId, metadata: () => loader.image, replicas, controller },
      producerIds,
      markerChannel,
      { stateTopicPartitions: config.transactionStateTopicPartitions, maxTimeoutMs: config.transactionMaxTimeoutMs, idExpirationMs: config.transactionalIdExpirationMs },
      { nowMs: () => Date.now() },
      () => loader.image.topicByName(OFFSETS_TOPIC)?.partitions.size ?? 50,
    );
    transactions.start();
    context = {
      brokerId: config.nodeId,
      clusterId: 'tributary',
      listenerName: 'PLAINTEXT',
      metadata: () => loader.image,
      replicas,
      controller,
      autoCreateTopics: config.autoCreateTopics,
      producerIds,
      groups,
      transactions,
      txnMarkers,
      sasl: config.saslPlainUsers ? new PlainAuthenticator(config.saslPlainUsers) : null,
      authorizer: new Authorizer(
        {
          enabled: config.authorizerEnabled,
          // replication must never be locked out by an ACL
          superUsers: [...config.superUsers, ...(config.saslInterBrokerUser ? [`User:${config.saslInterBrokerUser}`] : [])],
          allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound,
        },
        () => loader.image.acls.values(),
      ),
      metrics,
      tracer: telemetry.tracer,
    };
    metrics.observe({ replicas, groups, logs, image: () => loader.image });
    const handler = new KafkaRequestHandler(context);
    const server = new KafkaServer((frame, connection) => handler.handle(frame, connection), {
      host: config.host,
      port: config.kafkaPort,
      onConnectionError: (info, error) => logger.warn({ msg: 'closed a Kafka connection', client: `${info.remoteAddress}:${info.remotePort}`, error: error.message }),
    });
    const { port } = await server.listen();
    lifecycle = new BrokerLifecycleManager(
      controller,
      {
        brokerId: config.nodeId,
        incarnationId: randomUUID(),
        rack: config.rack ?? null,
        listeners: [{ name: 'PLAINTEXT', host: config.advertisedHost ?? config.host, port: config.advertisedPort ?? port, securityProtocol: config.saslPlainUsers ? 'SASL_PLAINTEXT' : 'PLAINTEXT' }],
        heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      },
      () => loader.offset,
      (error) => logger.warn({ msg: 'controller heartbeat failed', error: error.message }),
    );
    loader.start();
    lifecycle.start();
    const runtime = new BrokerRuntime(config, port, logs, replicas, fetchers, loader, lifecycle, server, controller, groups, transactions, markerChannel);
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref();
      runtime.timers.push(timer);
    };
    every(ISR_CHECK_INTERVAL_MS, () => replicas.maybeShrinkIsrs());
    every(PRODUCER_SNAPSHOT_INTERVAL_MS, () => replicas.snapshotProducerStates());
    return runtime;
  }

  /** Ready to serve: registered, unfenced, and its own metadata image shows it unfenced. */
  get ready(): boolean {
    return this.lifecycle.ready && this.loader.image.brokers.get(this.config.nodeId)?.fenced === false;
  }

  get status(): { brokerId: number; state: string; brokerEpoch: number; metadataOffset: number; partitions: number } {
    return { brokerId: this.config.nodeId, state: this.lifecycle.state, brokerEpoch: this.lifecycle.brokerEpoch, metadataOffset: this.loader.offset, partitions: this.replicas.allPartitions().length };
  }

  /** Controlled shutdown: leaderships move away first, then everything closes cleanly. */
  async close(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.groups.stop();
    this.transactions.stop();
    this.markerChannel.close();
    await this.lifecycle.stop();
    await this.server.close();
    await this.loader.stop();
    await this.fetchers.shutdown();
    this.replicas.shutdown();
    this.logs.close();
    this.controller.close();
  }
}
