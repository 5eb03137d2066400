import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Admin, ClusterClient, Consumer, Producer } from '@tributary/client';
import { CompressionType, readRecordBatches } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
type Codec = (typeof CODECS)[number];
const CODEC_TYPES: Record<Codec, CompressionType> = { gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd };
const PARTITIONS = 3;
const RECORDS = 3_000;

/** Keyed lines whose values compress well and are distinct, so a lost or doubled record shows. */
function records(codec: Codec, origin: string): { key: string; value: string }[] {
  return Array.from({ length: RECORDS }, (_, i) => ({ key: `key-${i % 101}`, value: `${origin}-${codec}-${i}-${'x'.repeat(i % 200)}` }));
}

async function kcatProduce(bootstrap: string, topic: string, codec: Codec, lines: string[]): Promise<void> {
  // linger lets librdkafka build multi-record batches, which is where compression applies
  const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'linger.ms=20'], { timeout: 60_000 });
  produce.child.stdin?.end(`${lines.join('\n')}\n`);
  await produce;
}

async function kcatConsume(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

/** The codecs of the record batches stored in a topic, read raw with a Fetch (so the test sees what is on the wire). */
async function storedCodecs(client: ClusterClient, topic: string): Promise<Set<CompressionType>> {
  const info = await client.topic(topic);
  const codecs = new Set<CompressionType>();
  for (const [partition, { leader }] of info.partitions.entries()) {
    const connection = await client.connection(leader);
    const response = await connection.request(1, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 64 * 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, topicId: info.topicId, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 64 * 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    for (const t of response.responses) for (const p of t.partitions) for (const batch of readRecordBatches(p.records ?? Buffer.alloc(0))) codecs.add(batch.compression);
  }
  return codecs;
}

/** Reads every record of a topic with the native consumer (manual assignment, from the log start). */
async function consumeAll(client: ClusterClient, topic: string, expected: number): Promise<string[]> {
  const consumer = new Consumer(client, { fromBeginning: true, maxWaitMs: 100 });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const seen: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const running = consumer.run({ eachRecord: (r) => void seen.push(`${r.key?.toString()}:${r.value?.toString()}`) });
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${expected} records of ${topic} consumed`)), 30_000);
      const check = setInterval(() => {
        if (seen.length < expected) return;
        clearInterval(check);
        resolve();
      }, 20);
      timer.unref();
      void running.catch((error: unknown) => {
        clearInterval(check);
        reject(error);
      });
    });
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
  return seen;
}

/** librdkafka (kcat) and the native client exchange records under every codec, in both directions. */
describe('compression interop with kcat', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'compression-interop' });
    await new Admin(client).createTopics(
      CODECS.flatMap((codec) => [
        { name: `from-kcat-${codec}`, partitions: PARTITIONS, replicationFactor: 1 },
        { name: `from-native-${codec}`, partitions: PARTITIONS, replicationFactor: 1 },
      ]),
    );
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it.each(CODECS)('the native consumer reads every record kcat produced with -z %s', async (codec) => {
    const topic = `from-kcat-${codec}`;
    const sent = records(codec, 'kcat').map((r) => `${r.key}:${r.value}`);
    await kcatProduce(cluster.bootstrap, topic, codec, sent);
    expect(await storedCodecs(client, topic)).toEqual(new Set([CODEC_TYPES[codec]]));
    const consumed = await consumeAll(client, topic, sent.length);
    expect(consumed).toHaveLength(sent.length);
    expect(new Set(consumed)).toEqual(new Set(sent));
  }, 60_000);

  it.each(CODECS)('kcat reads every record the native producer wrote with %s', async (codec) => {
    const topic = `from-native-${codec}`;
    const sent = records(codec, 'native');
    const producer = new Producer(client, { compression: codec, lingerMs: 5 });
    await producer.send(topic, sent);
    await producer.close();
    expect(await storedCodecs(client, topic)).toEqual(new Set([CODEC_TYPES[codec]]));
    const consumed = await kcatConsume(cluster.bootstrap, topic);
    expect(consumed).toHaveLength(sent.length);
    expect(new Set(consumed)).toEqual(new Set(sent.map((r) => `${r.key}:${r.value}`)));
  }, 60_000);
});
