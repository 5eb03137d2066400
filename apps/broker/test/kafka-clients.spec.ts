import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes, Kafka, logLevel } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { KafkaConnection } from '@tributary/client';
import { CompressionType, compress, decompress, readRecordBatches } from '@tributary/protocol';
import { FixedMetadataCluster } from './fixed-metadata-cluster';

const exec = promisify(execFile);

/** Real Kafka clients (kafkajs, kcat) against the broker's Kafka listener. */
describe('Kafka clients against the broker listener', () => {
  let cluster: FixedMetadataCluster;
  let bootstrap: string;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(1);
    cluster.createTopic('orders', 3);
    cluster.createTopic('__consumer_offsets', 1); // no controller here to create it on first use
    bootstrap = cluster.bootstrap();
    kafka = new Kafka({ clientId: 'jest', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  });
  afterAll(() => cluster.stop());

  it('kafkajs: fetches metadata, produces with keys and headers (acks=all), lists offsets; kcat reads it back', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(metadata.topics[0].partitions.map((p) => p.leader).sort()).toEqual([1, 1, 1]);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({
      topic: 'orders',
      acks: -1,
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `key-${i % 5}`, value: `order-${i}`, headers: { source: 'jest' } })),
    });
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const offsetsAdmin = kafka.admin();
    await offsetsAdmin.connect();
    const offsets = await offsetsAdmin.fetchTopicOffsets('orders');
    await offsetsAdmin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(30);
    expect(offsets.every((p) => p.low === '0')).toBe(true);

    // what kafkajs produced, kcat consumes: same keys, values and headers
    const lines: string[] = [];
    for (const partition of ['0', '1', '2']) {
      const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', 'orders', '-p', partition, '-o', 'beginning', '-e', '-f', '%k=%s %h\n']);
      lines.push(...stdout.split('\n').filter(Boolean));
    }
    expect(lines.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `key-${i % 5}=order-${i} source=jest`).sort());
  }, 60_000);

  it('kafkajs idempotent producer: gets a producer id and writes each message once', async () => {
    cluster.createTopic('payments', 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'payments', acks: -1, messages: [{ key: 'p', value: `payment-${i}` }] });
    await producer.disconnect();
    const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', 'payments', '-o', 'beginning', '-e', '-f', '%o:%s\n']);
    expect(stdout.trim().split('\n')).toEqual(['0:payment-0', '1:payment-1', '2:payment-2', '3:payment-3', '4:payment-4']);
  }, 60_000);

  /** kafkajs codecs: gzip is built in, snappy from kafkajs-snappy; lz4 and zstd (no maintained pure-JS package) from libs/protocol. */
  const ourCodec = (type: CompressionType) => () => ({
    compress: async (encoder: { buffer: Buffer }) => compress(type, encoder.buffer),
    decompress: async (buffer: Buffer) => decompress(type, buffer),
  });
  it.each([
    ['gzip', CompressionTypes.GZIP, CompressionType.Gzip, null],
    ['snappy', CompressionTypes.Snappy, CompressionType.Snappy, SnappyCodec],
    ['lz4', CompressionTypes.LZ4, CompressionType.Lz4, ourCodec(CompressionType.Lz4)],
    ['zstd', CompressionTypes.ZSTD, CompressionType.Zstd, ourCodec(CompressionType.Zstd)],
  ] as const)('%s: kcat (librdkafka) batches are read by kafkajs, and kafkajs batches by kcat', async (name, kafkajsType, ours, codec) => {
    if (codec) (CompressionCodecs as Record<number, unknown>)[kafkajsType] = codec;
    const topic = `codec-${name}`;
    const topicId = cluster.createTopic(topic, 1);
    const fromKcat = Array.from({ length: 50 }, (_, i) => `kcat-${name}-${i}`.repeat(20));
    const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-z', name, '-X', 'linger.ms=50']);
    produce.child.stdin?.end(fromKcat.join('\n') + '\n');
    await produce;
    const producer = kafka.producer();
    await producer.connect();
    const fromKafkajs = Array.from({ length: 50 }, (_, i) => `kafkajs-${name}-${i}`.repeat(20));
    await producer.send({ topic, compression: kafkajsType, messages: fromKafkajs.map((value) => ({ value })) });
    await producer.disconnect();

    // the log holds batches of both clients, compressed with the codec (read raw with a Fetch)
    const [host, port] = bootstrap.split(':');
    const raw = new KafkaConnection({ host, port: Number(port), clientId: 'raw-fetch' });
    await raw.connect();
    const fetched = await raw.request(1, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0,
      topics: [{ topic, topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] }],
    });
    raw.close();
    const batches = [...readRecordBatches(fetched.responses[0].partitions[0].records ?? Buffer.alloc(0))];
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.map((b) => [b.compression, b.isCrcValid()])).toEqual(batches.map(() => [ours, true]));
    expect(batches.flatMap((b) => [...b.records()].map((r) => r.value!.toString()))).toEqual([...fromKcat, ...fromKafkajs]);
    const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
    expect(stdout.split('\n').filter(Boolean)).toEqual([...fromKcat, ...fromKafkajs]);
    const consumer = kafka.consumer({ groupId: `codec-${name}`, sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === fromKcat.length + fromKafkajs.length) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toEqual([...fromKcat, ...fromKafkajs]);
  }, 60_000);

  it('kafkajs admin: describes topic configs with defaults', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'orders' }], includeSynonyms: false });
    await admin.disconnect();
    const entries = described.resources[0].configEntries;
    expect(entries.find((e) => e.configName === 'cleanup.policy')).toMatchObject({ configValue: 'delete', isDefault: true });
    expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(String(7 * 24 * 3600 * 1000));
  }, 60_000);

  it('kcat: lists metadata, produces keyed messages and consumes them back', async () => {
    const { stdout: list } = await exec('kcat', ['-b', bootstrap, '-L', '-t', 'orders']);
    expect(list).toMatch(/topic "orders" with 3 partitions/);
    const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', 'orders', '-p', '1', '-K', ':', '-H', 'trace=abc']);
    produce.child.stdin?.end('k1:hello\nk2:world\n');
    await produce;
    const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', 'orders', '-p', '1', '-o', 'beginning', '-e', '-f', '%k=%s %h\n']);
    expect(stdout).toContain('k1=hello trace=abc');
    expect(stdout).toContain('k2=world trace=abc');
  }, 60_000);
});
