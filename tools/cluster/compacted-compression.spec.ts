import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Admin, ClusterClient } from '@tributary/client';
import { CompressionType, readRecordBatches } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
type Codec = (typeof CODECS)[number];
const CODEC_TYPES: Record<Codec, CompressionType> = { gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd };
const RECORDS = 2_000;
const KEYS = 40;

/** Each key written 50 times, values distinct, so a stale value or a lost key shows. */
function lines(codec: Codec): string[] {
  return Array.from({ length: RECORDS }, (_, i) => `key-${i % KEYS}:${codec}-${i}-${'x'.repeat(i % 60)}`);
}

async function kcatProduce(bootstrap: string, topic: string, codec: Codec, input: string[]): Promise<void> {
  // batches of 20 records: many compressed batches, spread over many small segments
  const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'linger.ms=20', '-X', 'batch.num.messages=20'], { timeout: 60_000 });
  produce.child.stdin?.end(`${input.join('\n')}\n`);
  await produce;
}

async function kcatConsume(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

/** The codecs of the record batches stored in partition 0, read raw with Fetch (what is on disk goes on the wire). */
async function storedCodecs(client: ClusterClient, topic: string): Promise<Set<CompressionType>> {
  const info = await client.topic(topic);
  const connection = await client.connection(info.partitions[0].leader);
  const codecs = new Set<CompressionType>();
  let fetchOffset = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const response = await connection.request(1, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, topicId: info.topicId, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const batches = [...readRecordBatches(response.responses[0].partitions[0].records ?? Buffer.alloc(0))];
    if (batches.length === 0) return codecs;
    for (const batch of batches) codecs.add(batch.compression);
    fetchOffset = batches[batches.length - 1].lastOffset + 1;
  }
  throw new Error(`${topic}: fetch never reached the end`);
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
    await kcatProduce(cluster.bootstrap, topic, codec, sent);
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
