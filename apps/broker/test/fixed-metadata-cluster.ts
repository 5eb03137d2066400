import { createNoopMeter } from '@opentelemetry/api';
import { Authorizer } from '../src/security/authorizer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogManager } from '@tributary/log-engine';
import { MetadataImage, MetadataRecord } from '@tributary/protocol';
import { BrokerContext, ControllerChannel, endpointOf } from '../src/kafka/broker-context';
import { GroupCoordinator, OFFSETS_TOPIC } from '../src/groups/group-coordinator';
import { TransactionCoordinator } from '../src/transactions/transaction-coordinator';
import { LocalMarkerWriter, TxnMarkerChannel } from '../src/transactions/txn-markers';
import { KafkaRequestHandler } from '../src/kafka/kafka-request-handler';
import { BrokerMetrics } from '../src/telemetry/broker-metrics';
import { MetadataPublisher } from '../src/metadata/metadata-publisher';
import { KafkaServer } from '../src/network/kafka-server';
import { ProducerIdManager } from '../src/producer/producer-id-manager';
import { KafkaLeaderEndpoint } from '../src/replica/kafka-leader-endpoint';
import { Partition } from '../src/replica/partition';
import { ReplicaFetcherManager } from '../src/replica/replica-fetcher-manager';
import { ReplicaManager } from '../src/replica/replica-manager';

interface TestBroker {
  id: number;
  port: number;
  logs: LogManager;
  replicas: ReplicaManager;
  fetchers: ReplicaFetcherManager;
  publisher: MetadataPublisher;
  server: KafkaServer;
  transactions: TransactionCoordinator;
  markerChannel: TxnMarkerChannel;
}

/**
 * Brokers with their real data path (Kafka listeners, handlers, replica managers, fetchers over
 * the Kafka protocol, logs on disk) in one process, whose metadata comes from records the test
 * commits by hand instead of from a controller quorum. ISR changes the leaders propose are
 * committed at once, as an always-agreeing controller would.
 */
export class FixedMetadataCluster {
  readonly image = new MetadataImage();
  private readonly brokers: TestBroker[] = [];
  private constructor(readonly dir: string) {}

  static async start(brokerCount: number): Promise<FixedMetadataCluster> {
    const cluster = new FixedMetadataCluster(fs.mkdtempSync(path.join(os.tmpdir(), 'fixed-cluster-')));
    for (let id = 1; id <= brokerCount; id++) await cluster.addBroker(id);
    for (const broker of cluster.brokers) {
      cluster.commit({
        type: 'registerBroker',
        brokerId: broker.id,
        incarnationId: randomUUID(),
        brokerEpoch: broker.id,
        endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: broker.port, securityProtocol: 'PLAINTEXT' }],
        rack: null,
        fenced: false,
      });
    }
    return cluster;
  }

  bootstrap(brokerId = 1): string {
    return `127.0.0.1:${this.broker(brokerId).port}`;
  }

  replicaManager(brokerId: number): ReplicaManager {
    return this.broker(brokerId).replicas;
  }

  commit(...records: MetadataRecord[]): void {
    for (const record of records) this.image.apply(record, this.image.offset + 1);
    for (const broker of this.brokers) broker.publisher.publish(this.image);
  }

  /** A topic whose partition p is led by replicas[p % n]... (every broker a replica). */
  createTopic(name: string, partitions: number, replicationFactor = 1): string {
    const topicId = randomUUID();
    const ids = this.brokers.map((b) => b.id);
    this.commit(
      { type: 'topic', name, topicId },
      ...Array.from({ length: partitions }, (_, partitionId): MetadataRecord => {
        const replicas = Array.from({ length: replicationFactor }, (_, r) => ids[(partitionId + r) % ids.length]);
        return { type: 'partition', topicId, partitionId, replicas, isr: replicas, leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0 };
      }),
    );
    return topicId;
  }

  async stop(): Promise<void> {
    for (const broker of this.brokers) {
      broker.transactions.stop();
      broker.markerChannel.close();
      await broker.server.close();
      await broker.fetchers.shutdown();
      broker.replicas.shutdown();
      broker.logs.close();
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private broker(id: number): TestBroker {
    const broker = this.brokers.find((b) => b.id === id);
    if (!broker) throw new Error(`no broker ${id}`);
    return broker;
  }

  private async addBroker(id: number): Promise<void> {
    const logs = LogManager.open({ dataDir: path.join(this.dir, `broker-${id}`) });
    const isrSink = {
      proposeIsr: (partition: Partition, isr: number[]) => {
        const state = partition.leaderAndIsr;
        const topicId = this.image.topicIdsByName.get(partition.topic);
        if (!state || !topicId) return;
        // an always-agreeing controller: commit the change, then tell the leader
        queueMicrotask(() => {
          this.commit({ type: 'partitionChange', topicId, partitionId: partition.index, isr });
          const p = this.image.topicsById.get(topicId)?.partitions.get(partition.index);
          if (p) partition.onIsrCommitted({ leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, replicas: p.replicas, isr: p.isr });
        });
      },
    };
    const replicas = new ReplicaManager(logs, { brokerId: id, replicaLagTimeMaxMs: 10_000 }, { nowMs: () => Date.now() }, isrSink);
    const producerIds = new ProducerIdManager(testController, () => ({ brokerId: id, brokerEpoch: id }));
    const groups = new GroupCoordinator({ brokerId: id, listenerName: 'PLAINTEXT', metadata: () => this.image, replicas, controller: testController });
    const txnMarkers = new LocalMarkerWriter(replicas, (partition, producerId, commit) => groups.onTransactionMarker(partition, producerId, commit), OFFSETS_TOPIC);
    // the channel looks brokers up in the context built below, only once it sends markers
    const markerChannel = new TxnMarkerChannel(id, txnMarkers, () => this.image, (brokerId): { host: string; port: number } | undefined => endpointOf(context, brokerId), null);
    const transactions = new TransactionCoordinator({ brokerId: id, metadata: () => this.image, replicas, controller: testController }, producerIds, markerChannel, { sweepIntervalMs: 200 }, { nowMs: () => Date.now() }, () => this.image.topicByName(OFFSETS_TOPIC)?.partitions.size ?? 50);
    transactions.start();
    const context: BrokerContext = {
      brokerId: id,
      clusterId: 'fixed-metadata-cluster',
      listenerName: 'PLAINTEXT',
      metadata: () => this.image,
      replicas,
      controller: testController,
      autoCreateTopics: false,
      producerIds,
      groups,
      transactions,
      txnMarkers,
      sasl: null,
      authorizer: new Authorizer({ enabled: false, superUsers: [], allowEveryoneIfNoAclFound: true }, () => this.image.acls.values()),
      metrics: new BrokerMetrics(createNoopMeter()),
      tracer: null,
    };
    const fetchers = new ReplicaFetcherManager(
      replicas,
      (leaderId) => new KafkaLeaderEndpoint(id, () => endpointOf(context, leaderId), (topic) => this.image.topicIdsByName.get(topic), null, 5_000),
      { brokerId: id, maxWaitMs: 100, backoffMs: 50 },
    );
    const publisher = new MetadataPublisher(id, replicas, fetchers, { log: {}, minInsyncReplicas: 1 });
    const handler = new KafkaRequestHandler(context);
    const server = new KafkaServer((frame, connection) => handler.handle(frame, connection), {
      port: 0,
      onConnectionError: (_c, e) => process.env.DEBUG_BROKER && console.error(`broker ${id} closed a connection:`, e.message),
    });
    const { port } = await server.listen();
    this.brokers.push({ id, port, logs, replicas, fetchers, publisher, server, transactions, markerChannel });
  }
}

/** Stands in for the controller quorum: hands out producer id blocks, refuses everything else. */
let nextBlock = 0;
const testController: ControllerChannel = {
  call: (async (pattern: string) => {
    if (pattern === 'producerIds.allocate') {
      const firstProducerId = nextBlock;
      nextBlock += 1000;
      return { errorCode: 0, errorMessage: null, firstProducerId, size: 1000 };
    }
    throw new Error(`no controller in a fixed-metadata test cluster (${pattern})`);
  }) as ControllerChannel['call'],
};
