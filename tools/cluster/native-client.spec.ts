import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import { ClusterClient, ConsumedBatch, Consumer, Producer } from '@tributary/client';
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
describe('native producer and consumer against a local cluster', () => {
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
        { topic: 'grouped', numPartitions: 6, replicationFactor: 1 },
        { topic: 'manual', numPartitions: 1, replicationFactor: 1 },
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

  it('bounds its memory: send() waits while bufferMemory is full, and everything is delivered intact', async () => {
    const bufferMemory = 64 * 1024;
    const producer = new Producer(client(), { acks: 1, bufferMemory, batchSize: 16 * 1024, lingerMs: 1 });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, producer.bufferedBytesNow)), 1);
    // every value distinct: batch buffers are reused once acknowledged, and a reuse too early would show as lost or garbled values
    const values = Array.from({ length: 20_000 }, (_, i) => `${i}-`.padEnd(100, String.fromCharCode(97 + (i % 26))));
    const oneSend = 100 * 110; // 100 records of ~110 encoded bytes
    const sends = Array.from({ length: 200 }, (_, s) => producer.send('bounded', values.slice(s * 100, (s + 1) * 100).map((value) => ({ value }))));
    await Promise.all(sends);
    clearInterval(sampler);
    await producer.close();
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(bufferMemory + oneSend);
    const stored = await Promise.all([0, 1].map((p) => kcatValues(cluster.bootstrap, 'bounded', p)));
    expect(stored.flat().sort()).toEqual([...values].sort());
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

  /** Waits (bounded) until `done()` holds. */
  async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('a group of three native consumers splits a topic, rebalances when one stops, and resumes from committed offsets', async () => {
    const producer = new Producer(client(), { lingerMs: 2 });
    const produce = async (from: number, count: number) => {
      await producer.send('grouped', Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `g-${from + i}` })));
    };
    await produce(0, 3000);
    const deliveries: string[] = [];
    const start = () => {
      const consumer = new Consumer(client(), { groupId: 'natives', fromBeginning: true, autoCommitIntervalMs: 200, sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 });
      consumer.subscribe(['grouped']);
      void consumer.run({ eachBatch: (batch: ConsumedBatch) => void deliveries.push(...batch.records.map((r) => r.value!.toString())) });
      return consumer;
    };
    const members = [start(), start(), start()];
    await until(() => new Set(deliveries).size === 3000 && members.every((m) => m.assignment().length === 2), 'three members sharing 6 partitions and 3000 records');

    await members[2].stop();
    await produce(3000, 1500);
    await until(() => new Set(deliveries).size === 4500 && members.slice(0, 2).every((m) => m.assignment().length === 3), 'two members taking over');
    expect(deliveries).toHaveLength(4500); // nothing delivered twice: offsets were committed before the partitions moved
    await Promise.all(members.slice(0, 2).map((m) => m.stop()));

    // a new member of the group starts where the group left off
    const before = deliveries.length;
    const late = start();
    await produce(4500, 10);
    await until(() => deliveries.length === before + 10, 'the 10 new records');
    expect(deliveries.slice(before).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `g-${4500 + i}`).sort());
    await late.stop();
    await producer.close();
  }, 120_000);

  it('manual assignment reads what kcat wrote, from an offset, with seek, pause and resume', async () => {
    const produce = exec('kcat', ['-b', cluster.bootstrap, '-P', '-t', 'manual', '-p', '0', '-K', ':']);
    produce.child.stdin?.end(Array.from({ length: 20 }, (_, i) => `key${i}:value${i}`).join('\n') + '\n');
    await produce;
    const consumer = new Consumer(client(), { maxWaitMs: 100 });
    consumer.assign([{ topic: 'manual', partition: 0, offset: 5 }]);
    const seen: string[] = [];
    const running = consumer.run({ eachRecord: (r) => void seen.push(`${r.offset}:${r.key?.toString()}=${r.value?.toString()}`) });
    await until(() => seen.length === 15, 'offsets 5..19');
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => `${i + 5}:key${i + 5}=value${i + 5}`));
    consumer.pause('manual');
    consumer.seek('manual', 0, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toHaveLength(15); // paused: nothing arrives
    consumer.resume('manual');
    await until(() => seen.length === 35, 'the whole partition again after seek(0)');
    expect(seen.slice(15, 20)).toEqual(['0:key0=value0', '1:key1=value1', '2:key2=value2', '3:key3=value3', '4:key4=value4']);
    expect(consumer.position('manual', 0)).toBe(20);
    await consumer.stop();
    await running;
  }, 60_000);
});
