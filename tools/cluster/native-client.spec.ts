import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import { ClusterClient, Producer } from '@tributary/client';
import { CompressionType, compress, decompress } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

// kafkajs ships no lz4 codec; plug in libs/protocol's (the broker tests check it against librdkafka)
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => compress(CompressionType.Lz4, encoder.buffer),
  decompress: async (buffer: Buffer) => decompress(CompressionType.Lz4, buffer),
});

async function kcatValues(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

/** The native producer of libs/client against real broker processes, checked with kafkajs and kcat. */
describe('native producer against a local cluster', () => {
  let cluster: LocalCluster;
  let kafka: Kafka;
  const clients: ClusterClient[] = [];
  const client = () => {
    const c = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'native-test' });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 3, brokerSessionTimeoutMs: 3000 });
    kafka = new Kafka({ clientId: 'check', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: 'keyed', numPartitions: 6, replicationFactor: 3 },
        { topic: 'bounded', numPartitions: 2, replicationFactor: 1 },
        { topic: 'failover', numPartitions: 1, replicationFactor: 3 },
      ],
    });
    await admin.disconnect();
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await cluster?.stop();
  }, 60_000);

  it('writes keyed lz4 records with headers (idempotent, acks=all) where kafkajs would put them; kafkajs reads them back', async () => {
    const producer = new Producer(client(), { compression: 'lz4', lingerMs: 2 });
    const sends = Array.from({ length: 50 }, (_, s) =>
      producer.send(
        'keyed',
        Array.from({ length: 100 }, (_, i) => ({ key: `user-${(s * 100 + i) % 997}`, value: `event-${s * 100 + i}`, headers: { source: 'native', n: String(s * 100 + i) } })),
      ),
    );
    const results = (await Promise.all(sends)).flat();
    expect(results).toHaveLength(5000);
    // offsets are dense per partition: 0..n-1, each once
    const byPartition = new Map<number, number[]>();
    for (const r of results) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
    for (const offsets of byPartition.values()) expect(offsets.sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
    await producer.close();

    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const consumer = kafka.consumer({ groupId: 'native-check', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'keyed', fromBeginning: true });
    const seen = new Map<string, { partition: number; offset: string; expectedPartition: number; source: string | undefined }>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.size} of 5000 records consumed`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const expectedPartition = partitioner({ topic: 'keyed', partitionMetadata, message: { key: message.key, value: message.value } });
          seen.set(message.value!.toString(), { partition, offset: message.offset, expectedPartition, source: message.headers?.source?.toString() });
          if (seen.size === 5000) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    results.forEach((r, i) => expect(seen.get(`event-${i}`)).toEqual({ partition: r.partition, offset: String(r.offset), expectedPartition: r.partition, source: 'native' }));
  }, 120_000);

  it('bounds its memory: send() waits while bufferMemory is full, and everything is delivered', async () => {
    const bufferMemory = 64 * 1024;
    const producer = new Producer(client(), { acks: 1, bufferMemory, batchSize: 16 * 1024, lingerMs: 1 });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, producer.bufferedBytesNow)), 1);
    const value = 'x'.repeat(100);
    const oneSend = 100 * 110; // 100 records of ~110 encoded bytes
    const sends = Array.from({ length: 200 }, () => producer.send('bounded', Array.from({ length: 100 }, () => ({ value }))));
    await Promise.all(sends);
    clearInterval(sampler);
    await producer.close();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(bufferMemory + oneSend);
    const counts = await Promise.all([0, 1].map((p) => kcatValues(cluster.bootstrap, 'bounded', p)));
    expect(counts.flat()).toHaveLength(20_000);
  }, 120_000);

  it('keeps every acknowledged record, once, when the partition leader is SIGKILLed mid-stream', async () => {
    const c = client();
    const producer = new Producer(c, { lingerMs: 1, retries: 30, retryBackoffMs: 200 });
    await c.connect();
    const leader = (await c.topic('failover')).partitions[0].leader;
    const acknowledged: string[] = [];
    for (let s = 0; s < 40; s++) {
      if (s === 10) await cluster.brokers.find((b) => b.id === leader)!.kill('SIGKILL');
      const values = Array.from({ length: 50 }, (_, i) => `f-${s * 50 + i}`);
      await producer.send('failover', values.map((value) => ({ value })));
      acknowledged.push(...values);
    }
    await producer.close();
    expect((await c.topic('failover')).partitions[0].leader).not.toBe(leader);
    const stored = await kcatValues(cluster.bootstrap, 'failover', 0);
    expect(stored).toEqual(acknowledged); // all of them, in order, none twice
    await cluster.brokers.find((b) => b.id === leader)!.restart();
  }, 120_000);
});
