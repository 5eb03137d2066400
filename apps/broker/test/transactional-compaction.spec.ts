import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { ClusterClient, Consumer as NativeConsumer } from '@tributary/client';
import { LogCleaner, PartitionLog } from '@tributary/log-engine';
import { FixedMetadataCluster } from './fixed-metadata-cluster';
import { until } from './until';

const exec = promisify(execFile);
const TOPIC = 'txn-compacted';

/**
 * Log compaction of a topic written by a kafkajs transactional producer: committed and aborted
 * transactions over the same keys, plain writes among them. After the cleaner ran on the leader,
 * read_committed readers (kafkajs, kcat) see the latest committed value of each key, and a
 * read_uncommitted reader shows the aborted records are physically gone.
 */
describe('compaction of transactional data (kafkajs, kcat)', () => {
  let cluster: FixedMetadataCluster;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(2);
    cluster.createTopic('__consumer_offsets', 4);
    cluster.createTopic('__transaction_state', 4);
    // small segments so the writes below roll into cleanable ones; markers may go at once once alone
    for (const [name, value] of [
      ['cleanup.policy', 'compact'],
      ['segment.bytes', '1024'],
      ['delete.retention.ms', '0'],
    ]) {
      cluster.commit({ type: 'config', resourceType: 'topic', resourceName: TOPIC, name, value });
    }
    cluster.createTopic(TOPIC, 1, 2);
    kafka = new Kafka({ clientId: 'txn-compaction-test', brokers: [cluster.bootstrap(1), cluster.bootstrap(2)], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  });
  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.disconnect();
  });
  afterAll(() => cluster.stop());

  const leaderLog = (): PartitionLog => {
    const log = cluster.replicaManager(1).getPartition(TOPIC, 0)?.log;
    if (!log) throw new Error(`broker 1 has no ${TOPIC}-0`);
    return log;
  };

  /** key -> every value a reader from the start gets, up to the record keyed `end` (the last one written). */
  async function readByKey(readUncommitted: boolean): Promise<Map<string, string[]>> {
    const consumer = kafka.consumer({ groupId: `reader-${readUncommitted}-${Math.random()}`, readUncommitted, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen = new Map<string, string[]>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        seen.set(key, [...(seen.get(key) ?? []), message.value?.toString() ?? '']);
      },
    });
    await until(() => seen.has('end'));
    return seen;
  }

  it('keeps the latest committed value per key and none of the aborted records', async () => {
    const producer = kafka.producer({ transactionalId: 'compacted-writer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const write = async (outcome: 'commit' | 'abort', tag: string, keys: number[]) => {
      const txn = await producer.transaction();
      await txn.send({ topic: TOPIC, messages: keys.map((k) => ({ key: `k${k}`, value: `${tag}-${k}` })) });
      await (outcome === 'commit' ? txn.commit() : txn.abort());
    };
    await write('commit', 'c1', [0, 1, 2, 3, 4]);
    await write('abort', 'a2', [0, 1, 2]);
    await write('commit', 'c3', [1, 3]);
    await write('abort', 'a4', [0]);
    // an idempotent producer whose only record is overwritten: its batch stays as an empty header
    const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idempotent.connect();
    await idempotent.send({ topic: TOPIC, messages: [{ key: 'k5', value: 'idempotent-5' }] });
    await idempotent.disconnect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: TOPIC, messages: [{ key: 'k4', value: 'plain-4' }, { key: 'k5', value: 'plain-5' }] });
    // later writes of other keys push all of the above into inactive (cleanable) segments
    for (let i = 0; i < 30; i++) await plain.send({ topic: TOPIC, messages: [{ key: `filler-${i % 3}`, value: `filler-${i}-${'x'.repeat(60)}` }] });

    const expected = new Map([
      ['k0', ['c1-0']],
      ['k1', ['c3-1']],
      ['k2', ['c1-2']],
      ['k3', ['c3-3']],
      ['k4', ['plain-4']],
      ['k5', ['plain-5']],
    ]);
    const keysOfInterest = (seen: Map<string, string[]>) => new Map([...seen].filter(([key]) => /^k\d$/.test(key)));
    const logEndBefore = leaderLog().logEndOffset;
    const cleaner = new LogCleaner();
    let removed = 0;
    // three runs: the aborted data goes in the first, the lone markers are stamped and then removed
    for (let run = 0; run < 3; run++) removed += (await cleaner.clean(leaderLog())).recordsRemoved;
    expect(removed).toBeGreaterThan(0);
    expect(leaderLog().logEndOffset).toBe(logEndBefore); // offsets preserved
    let emptyHeaders = 0;
    leaderLog().forEachBatchHeader(0, (header) => void (emptyHeaders += header.recordsCount === 0 ? 1 : 0));
    expect(emptyHeaders).toBe(1); // the idempotent producer's: the readers below must step over it

    // the producer's state survived the cleaning: it commits again, and that is the latest k2
    await write('commit', 'c5', [2]);
    await plain.send({ topic: TOPIC, messages: [{ key: 'end', value: 'end' }] });
    await plain.disconnect();
    await producer.disconnect();
    expected.set('k2', ['c1-2', 'c5-2']); // c5 sits in the active segment, not cleaned yet

    expect(keysOfInterest(await readByKey(false))).toEqual(expected);
    // read_uncommitted: the aborted records are not filtered out, they are gone from the log
    expect(keysOfInterest(await readByKey(true))).toEqual(expected);

    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap(1), '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%k=%s\n'], { timeout: 20_000 });
    const byKcat = new Map<string, string[]>();
    for (const line of stdout.split('\n').filter((l) => /^k\d=/.test(l))) {
      const [key, value] = line.split('=');
      byKcat.set(key, [...(byKcat.get(key) ?? []), value]);
    }
    expect(byKcat).toEqual(expected);

    // the native client, read_committed and read_uncommitted
    for (const isolationLevel of [1, 0] as const) {
      const client = new ClusterClient({ brokers: [cluster.bootstrap(1)], clientId: 'native-compacted' });
      const consumer = new NativeConsumer(client, { maxWaitMs: 100, isolationLevel });
      consumer.assign([{ topic: TOPIC, partition: 0, offset: 0 }]);
      const seen = new Map<string, string[]>();
      const running = consumer.run({
        eachRecord: (r) => {
          const key = r.key?.toString() ?? '';
          seen.set(key, [...(seen.get(key) ?? []), r.value?.toString() ?? '']);
        },
      });
      await until(() => seen.has('end'));
      await consumer.stop();
      await running;
      await client.close();
      expect(keysOfInterest(seen)).toEqual(expected);
    }
  }, 90_000);
});
