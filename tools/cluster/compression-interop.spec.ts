import { Admin, ClusterClient, Consumer, Producer } from '@tributary/client';
import { CODECS, Codec, CODEC_TYPES, kcatConsume, kcatProduce, storedCodecs } from './kcat-compression';
import { LocalCluster } from './local-cluster';

const PARTITIONS = 3;
const RECORDS = 3_000;

/** Keyed lines whose values compress well and are distinct, so a lost or doubled record shows. */
function records(codec: Codec, origin: string): { key: string; value: string }[] {
  return Array.from({ length: RECORDS }, (_, i) => ({ key: `key-${i % 101}`, value: `${origin}-${codec}-${i}-${'x'.repeat(i % 200)}` }));
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
