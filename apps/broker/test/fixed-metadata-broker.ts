import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogManager } from '@tributary/log-engine';
import { MetadataImage, MetadataRecord } from '@tributary/protocol';
import { ControllerChannel } from '../src/kafka/broker-context';
import { KafkaRequestHandler } from '../src/kafka/kafka-request-handler';
import { MetadataPublisher } from '../src/metadata/metadata-publisher';
import { KafkaServer } from '../src/network/kafka-server';
import { ReplicaFetcherManager } from '../src/replica/replica-fetcher-manager';
import { ReplicaManager } from '../src/replica/replica-manager';
import { ProducerIdManager } from '../src/producer/producer-id-manager';

/**
 * One broker's real data path (Kafka listener, handlers, replica manager, logs on disk) whose
 * metadata comes from records the test commits by hand instead of from a controller quorum.
 * Lets real Kafka clients exercise the broker's protocol layer in one process.
 */
export class FixedMetadataBroker {
  readonly image = new MetadataImage();
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly logs: LogManager,
    private readonly replicas: ReplicaManager,
    private readonly fetchers: ReplicaFetcherManager,
    private readonly publisher: MetadataPublisher,
    private readonly server: KafkaServer,
  ) {}

  static async start(controller: ControllerChannel = refusingController): Promise<FixedMetadataBroker> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixed-broker-'));
    const logs = LogManager.open({ dataDir: dir });
    const replicas = new ReplicaManager(logs, { brokerId: 1 }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
    const fetchers = new ReplicaFetcherManager(replicas, () => {
      throw new Error('a single broker has no leader to follow');
    }, { brokerId: 1 });
    const publisher = new MetadataPublisher(1, replicas, fetchers, { log: {}, minInsyncReplicas: 1 });
    let broker: FixedMetadataBroker | null = null;
    const handler = new KafkaRequestHandler({
      brokerId: 1,
      clusterId: 'fixed-metadata-cluster',
      listenerName: 'PLAINTEXT',
      metadata: () => (broker as FixedMetadataBroker).image,
      replicas,
      controller,
      autoCreateTopics: false,
      producerIds: new ProducerIdManager(controller, () => ({ brokerId: 1, brokerEpoch: 0 })),
    });
    const server = new KafkaServer((frame, connection) => handler.handle(frame, connection), { port: 0, onConnectionError: (_c, e) => process.env.DEBUG_BROKER && console.error('connection closed:', e.message) });
    const { port } = await server.listen();
    broker = new FixedMetadataBroker(dir, port, logs, replicas, fetchers, publisher, server);
    broker.commit({
      type: 'registerBroker',
      brokerId: 1,
      incarnationId: randomUUID(),
      brokerEpoch: 0,
      endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT' }],
      rack: null,
      fenced: false,
    });
    return broker;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  commit(...records: MetadataRecord[]): void {
    for (const record of records) this.image.apply(record, this.image.offset + 1);
    this.publisher.publish(this.image);
  }

  createTopic(name: string, partitions: number): void {
    const topicId = randomUUID();
    this.commit(
      { type: 'topic', name, topicId },
      ...Array.from({ length: partitions }, (_, partitionId): MetadataRecord => ({ type: 'partition', topicId, partitionId, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 })),
    );
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.fetchers.shutdown();
    this.replicas.shutdown();
    this.logs.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Stands in for the controller quorum: hands out producer id blocks, refuses everything else. */
let nextBlock = 0;
const refusingController: ControllerChannel = {
  call: (async (pattern: string) => {
    if (pattern === 'producerIds.allocate') {
      const firstProducerId = nextBlock;
      nextBlock += 1000;
      return { errorCode: 0, errorMessage: null, firstProducerId, size: 1000 };
    }
    throw new Error(`no controller in a fixed-metadata test broker (${pattern})`);
  }) as ControllerChannel['call'],
};
