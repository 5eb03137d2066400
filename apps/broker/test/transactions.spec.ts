import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { ClusterClient, Consumer as NativeConsumer, KafkaConnection } from '@tributary/client';
import { FixedMetadataCluster } from './fixed-metadata-cluster';
import { until } from './until';

const exec = promisify(execFile);

/**
 * Kafka transactions with kafkajs and kcat against two brokers: the transaction coordinator of
 * an id may sit on one broker and the partitions on the other (markers then go by
 * WriteTxnMarkers), and the data topic is replicated to both.
 */
describe('transactions (kafkajs, kcat)', () => {
  let cluster: FixedMetadataCluster;
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(2);
    cluster.createTopic('__consumer_offsets', 4);
    cluster.createTopic('__transaction_state', 4);
    kafka = new Kafka({ clientId: 'txn-test', brokers: [cluster.bootstrap(1), cluster.bootstrap(2)], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  });
  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.disconnect();
  });
  afterAll(() => cluster.stop());

  /** Every value a new group reads from the start of `topic`, once it stops receiving more for a while. */
  async function readAll(topic: string, options: { readUncommitted?: boolean; expect: number }): Promise<string[]> {
    const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}`, readUncommitted: options.readUncommitted ?? false, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await until(() => seen.length >= options.expect);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything beyond the expected count would show now
    return seen.sort();
  }

  it('commit: a read_committed consumer (the kafkajs default) and kcat get the records', async () => {
    cluster.createTopic('txn-commit', 2, 2);
    const producer = kafka.producer({ transactionalId: 'committer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-commit', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `committed-${i}` })) });
    await txn.commit();
    await producer.disconnect();
    const expected = Array.from({ length: 10 }, (_, i) => `committed-${i}`).sort();
    expect(await readAll('txn-commit', { expect: 10 })).toEqual(expected);
    const lines: string[] = [];
    for (const partition of ['0', '1']) {
      const { stdout } = await exec('kcat', ['-b', cluster.bootstrap(1), '-C', '-t', 'txn-commit', '-p', partition, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 20_000 });
      lines.push(...stdout.split('\n').filter(Boolean));
    }
    expect(lines.sort()).toEqual(expected);
  }, 60_000);

  it('abort: read_committed consumers and kcat see none of it, read_uncommitted sees it, and later records flow', async () => {
    cluster.createTopic('txn-abort', 2, 2);
    const producer = kafka.producer({ transactionalId: 'aborter', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'txn-abort', messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `aborted-${i}` })) });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic: 'txn-abort', messages: Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, value: `kept-${i}` })) });
    await committed.commit();
    await producer.disconnect();
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'txn-abort', messages: [{ key: 'k0', value: 'plain-after' }, { key: 'k1', value: 'plain-after-2' }] });
    await plain.disconnect();

    const visible = ['kept-0', 'kept-1', 'kept-2', 'kept-3', 'plain-after', 'plain-after-2'].sort();
    expect(await readAll('txn-abort', { expect: 6 })).toEqual(visible);
    const uncommitted = await readAll('txn-abort', { readUncommitted: true, expect: 12 });
    expect(uncommitted).toEqual([...visible, ...Array.from({ length: 6 }, (_, i) => `aborted-${i}`)].sort());
    const lines: string[] = [];
    for (const partition of ['0', '1']) {
      const { stdout } = await exec('kcat', ['-b', cluster.bootstrap(2), '-C', '-t', 'txn-abort', '-p', partition, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 20_000 });
      lines.push(...stdout.split('\n').filter(Boolean));
    }
    expect(lines.sort()).toEqual(visible);

    // the native client: read_committed drops the aborted batches, read_uncommitted shows them
    for (const isolationLevel of [1, 0] as const) {
      const client = new ClusterClient({ brokers: [cluster.bootstrap(1), cluster.bootstrap(2)], clientId: 'native-txn' });
      const consumer = new NativeConsumer(client, { maxWaitMs: 100, isolationLevel });
      consumer.assign([0, 1].map((partition) => ({ topic: 'txn-abort', partition, offset: 0 })));
      const seen: string[] = [];
      const running = consumer.run({ eachRecord: (r) => void seen.push(r.value?.toString() ?? '') });
      await until(() => seen.length >= (isolationLevel === 1 ? 6 : 12));
      await new Promise((resolve) => setTimeout(resolve, 500)); // anything beyond would show now
      await consumer.stop();
      await running;
      await client.close();
      expect(seen.sort()).toEqual(isolationLevel === 1 ? visible : uncommitted);
    }
  }, 90_000);

  it('an open transaction holds read_committed consumers back until it commits', async () => {
    cluster.createTopic('txn-open', 1, 2);
    const producer = kafka.producer({ transactionalId: 'slow-committer', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-open', messages: [{ value: 'pending-1' }, { value: 'pending-2' }] });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'txn-open', messages: [{ value: 'behind-the-open-one' }] });
    await plain.disconnect();

    const consumer = kafka.consumer({ groupId: 'open-reader', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: 'txn-open', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(seen).toEqual([]); // everything sits at or after the open transaction's first offset
    await txn.commit();
    await producer.disconnect();
    await until(() => seen.length >= 3);
    expect(seen).toEqual(['pending-1', 'pending-2', 'behind-the-open-one']);
  }, 60_000);

  it('consume-transform-produce with sendOffsets: the group offset moves only with the commit', async () => {
    cluster.createTopic('eos-in', 1, 2);
    cluster.createTopic('eos-out', 1, 2);
    const input = kafka.producer();
    await input.connect();
    await input.send({ topic: 'eos-in', messages: Array.from({ length: 5 }, (_, i) => ({ value: `in-${i}` })) });
    await input.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const committedOffset = async () => Number((await admin.fetchOffsets({ groupId: 'transformer', topics: ['eos-in'] }))[0].partitions[0].offset);
    /** OffsetFetch with require_stable (what read_committed Java clients send), asked of the group's coordinator. */
    const stableOffset = async (): Promise<{ errorCode: number; offset: number }> => {
      for (const brokerId of [1, 2]) {
        const [host, port] = cluster.bootstrap(brokerId).split(':');
        const connection = new KafkaConnection({ host, port: Number(port), clientId: 'stable-offset-fetch' });
        await connection.connect();
        try {
          const answer = await connection.request(9, { requireStable: true, groups: [{ groupId: 'transformer', memberId: null, memberEpoch: -1, topics: [{ name: 'eos-in', partitionIndexes: [0] }] }] });
          const group = answer.groups[0];
          if (group.errorCode === 16) continue; // NOT_COORDINATOR: the other broker has it
          const partition = group.topics[0].partitions[0];
          return { errorCode: group.errorCode || partition.errorCode, offset: Number(partition.committedOffset) };
        } finally {
          connection.close();
        }
      }
      throw new Error('no broker coordinates the group');
    };

    const producer = kafka.producer({ transactionalId: 'transformer-txn', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // first pass aborts: neither the output nor the offset may show
    for (const outcome of ['abort', 'commit'] as const) {
      const txn = await producer.transaction();
      await txn.send({ topic: 'eos-out', messages: Array.from({ length: 5 }, (_, i) => ({ value: `out-${i}-${outcome}` })) });
      await txn.sendOffsets({ consumerGroupId: 'transformer', topics: [{ topic: 'eos-in', partitions: [{ partition: 0, offset: '5' }] }] });
      expect(await committedOffset()).toBe(-1); // not before the transaction ends
      expect((await stableOffset()).errorCode).toBe(88); // UNSTABLE_OFFSET_COMMIT: a transaction is committing it
      await (outcome === 'abort' ? txn.abort() : txn.commit());
      expect(await committedOffset()).toBe(outcome === 'abort' ? -1 : 5);
      expect(await stableOffset()).toEqual({ errorCode: 0, offset: outcome === 'abort' ? -1 : 5 });
    }
    await producer.disconnect();
    await admin.disconnect();
    expect(await readAll('eos-out', { expect: 5 })).toEqual(Array.from({ length: 5 }, (_, i) => `out-${i}-commit`).sort());
  }, 60_000);

  it('fencing: a second producer with the same transactional id fences the first', async () => {
    cluster.createTopic('txn-fence', 1, 2);
    const first = kafka.producer({ transactionalId: 'shared-id', idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    await first.connect();
    const zombie = await first.transaction();
    await zombie.send({ topic: 'txn-fence', messages: [{ value: 'from-the-zombie' }] });

    const second = kafka.producer({ transactionalId: 'shared-id', idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    const txn = await second.transaction(); // kafkajs initializes the transactional id here: the zombie's transaction is aborted, its epoch fenced
    await expect(zombie.commit()).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    await txn.send({ topic: 'txn-fence', messages: [{ value: 'from-the-new-producer' }] });
    await txn.commit();
    await second.disconnect();
    await first.disconnect();
    expect(await readAll('txn-fence', { expect: 1 })).toEqual(['from-the-new-producer']);
  }, 60_000);

  it('timeout: the coordinator aborts a transaction older than transaction.timeout.ms and fences its producer', async () => {
    cluster.createTopic('txn-timeout', 1, 2);
    const producer = kafka.producer({ transactionalId: 'forgetful', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 1_000, retry: { retries: 1 } });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-timeout', messages: [{ value: 'never-committed' }] });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'txn-timeout', messages: [{ value: 'after-the-forgotten-one' }] });
    await plain.disconnect();

    // nobody ends the transaction: the coordinator's sweep aborts it, and read_committed readers move on
    expect(await readAll('txn-timeout', { expect: 1 })).toEqual(['after-the-forgotten-one']);
    await expect(txn.commit()).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    await producer.disconnect();
  }, 60_000);

  it('operators see an open transaction: DescribeTransactions, ListTransactions and DescribeProducers', async () => {
    cluster.createTopic('txn-visible', 1, 2);
    const producer = kafka.producer({ transactionalId: 'visible-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic: 'txn-visible', messages: [{ value: 'a' }, { value: 'b' }] });

    const connections = await Promise.all(
      [1, 2].map(async (brokerId) => {
        const [host, port] = cluster.bootstrap(brokerId).split(':');
        const connection = new KafkaConnection({ host, port: Number(port), clientId: 'txn-operator' });
        await connection.connect();
        return connection;
      }),
    );
    try {
      const described = (await Promise.all(connections.map((c) => c.request(65, { transactionalIds: ['visible-tx'] })))).map((r) => r.transactionStates[0]);
      expect(described.map((d) => d.errorCode).sort()).toEqual([0, 16]); // one coordinator; NOT_COORDINATOR from the other
      const state = described.find((d) => d.errorCode === 0)!;
      expect(state).toMatchObject({ transactionState: 'Ongoing', transactionTimeoutMs: 60_000, topics: [{ topic: 'txn-visible', partitions: [0] }] });

      const listed = (await Promise.all(connections.map((c) => c.request(66, { stateFilters: ['Ongoing', 'NoSuchState'], producerIdFilters: [], durationFilter: -1n })))).flatMap((r) => r.transactionStates);
      expect(listed.filter((t) => t.transactionalId === 'visible-tx')).toEqual([{ transactionalId: 'visible-tx', producerId: state.producerId, transactionState: 'Ongoing' }]);

      const leader = connections[0]; // txn-visible-0 is led by broker 1
      const producers = (await leader.request(61, { topics: [{ name: 'txn-visible', partitionIndexes: [0] }] })).topics[0].partitions[0];
      expect(producers.errorCode).toBe(0);
      expect(producers.activeProducers.find((p) => p.producerId === state.producerId)).toMatchObject({ producerEpoch: state.producerEpoch, currentTxnStartOffset: 0n });
    } finally {
      for (const c of connections) c.close();
    }
    await txn.commit();
    await producer.disconnect();
  }, 60_000);
});
