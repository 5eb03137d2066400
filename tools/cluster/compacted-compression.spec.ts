import { Admin, ClusterClient } from '@tributary/client';
import { CODECS, Codec, CODEC_TYPES, kcatConsume, kcatProduce, storedCodecs } from './kcat-compression';
import { LocalCluster } from './local-cluster';

const RECORDS = 2_000;
const KEYS = 40;

/** Each key written 50 times, values distinct, so a stale value or a lost key shows. */
function lines(codec: Codec): string[] {
  return Array.from({ length: RECORDS }, (_, i) => `key-${i % KEYS}:${codec}-${i}-${'x'.repeat(i % 60)}`);
}

/**
 * Compressed batches of a compacted topic are compacted by the running broker's cleaner and
 * written back with their codec; a reader still finds the latest value of every key.
 */
describe('compaction of compressed batches (kcat producer and consumer)', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, brokerArgs: ['--log-cleaner-backoff-ms', '100'] });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'compacted-compression' });
    await new Admin(client).createTopics(
      CODECS.map((codec) => ({ name: `compacted-${codec}`, partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '4096' } })),
    );
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it.each(CODECS)('kcat -z %s: the latest value of every key survives, older ones go, batches keep their codec', async (codec) => {
    const topic = `compacted-${codec}`;
    const sent = lines(codec);
    // batches of 20 records: many compressed batches, spread over many small segments
    await kcatProduce(cluster.bootstrap, topic, codec, sent, ['-X', 'batch.num.messages=20']);
    const latest = new Map(sent.map((line) => [line.slice(0, line.indexOf(':')), line]));

    // bounded wait for the broker's own cleaner (every 100 ms here) to compact the topic
    let consumed = await kcatConsume(cluster.bootstrap, topic);
    const deadline = Date.now() + 30_000;
    while (consumed.length > RECORDS / 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      consumed = await kcatConsume(cluster.bootstrap, topic);
    }
    expect(consumed.length).toBeLessThan(RECORDS / 2);

    const sentSet = new Set(sent);
    for (const line of consumed) expect(sentSet.has(line)).toBe(true); // nothing altered
    const seen = new Map(consumed.map((line) => [line.slice(0, line.indexOf(':')), line]));
    expect(seen).toEqual(latest); // every key, at its latest value
    expect(await storedCodecs(client, topic)).toEqual(new Set([CODEC_TYPES[codec]]));
  }, 90_000);
});
