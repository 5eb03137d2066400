import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Admin, ClusterClient, ConfigEntry } from '@tributary/client';
import { KafkaProtocolError, Reader } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);
const DEFAULT_RETENTION_MS = String(7 * 24 * 3600 * 1000);

/** The KafkaProtocolError `promise` rejects with (fails the test if it resolves or throws something else). */
async function kafkaErrorOf(promise: Promise<unknown>): Promise<KafkaProtocolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KafkaProtocolError) return error;
    throw error;
  }
  throw new Error('expected a KafkaProtocolError, but the call succeeded');
}

/** ConsumerProtocolAssignment (any version): topic -> partitions. */
function decodeAssignment(data: Buffer): Record<string, number[]> {
  const r = new Reader(data);
  r.int16();
  const assignment: Record<string, number[]> = {};
  for (let t = r.int32(); t > 0; t--) {
    const topic = r.string();
    assignment[topic] = Array.from({ length: r.int32() }, () => r.int32());
  }
  return assignment;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** describeConfigs, polled (bounded) until `ready` holds: a describe may lag an alter. */
async function describedWhen(admin: Admin, topic: string, ready: (configs: Record<string, ConfigEntry>) => boolean, keys?: string[]): Promise<Record<string, ConfigEntry>> {
  let configs = await admin.describeConfigs(topic, keys);
  for (const deadline = Date.now() + 5_000; !ready(configs) && Date.now() < deadline; configs = await admin.describeConfigs(topic, keys)) await new Promise((r) => setTimeout(r, 50));
  return configs;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The native Admin of libs/client against real broker processes, checked with kafkajs and kcat. */
describe('native admin client against a local cluster', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;
  let admin: Admin;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 3 });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'native-admin' });
    admin = new Admin(client);
    kafka = new Kafka({ clientId: 'check', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('creates topics (with a config) and rejects duplicates and invalid ones with their Kafka errors', async () => {
    const created = await admin.createTopics([
      { name: 'adm-a', partitions: 3, replicationFactor: 3, configs: { 'retention.ms': '3600000' } },
      { name: 'adm-b', partitions: 1, replicationFactor: 2 },
    ]);
    expect(created.map((t) => [t.name, t.partitions, t.replicationFactor])).toEqual([
      ['adm-a', 3, 3],
      ['adm-b', 1, 2],
    ]);
    // createTopics waited for leaders: the shared metadata cache has them
    expect(client.cachedTopic('adm-a')?.partitions.every((p) => p.leader > 0)).toBe(true);

    const duplicate = await kafkaErrorOf(admin.createTopics([{ name: 'adm-a', partitions: 1 }]));
    expect(duplicate.errorName).toBe('TOPIC_ALREADY_EXISTS');
    expect(duplicate.code).toBe(36);
    expect(duplicate.message).toContain('adm-a');
    expect((await kafkaErrorOf(admin.createTopics([{ name: 'adm-zero', partitions: 0, replicationFactor: 1 }]))).errorName).toBe('INVALID_PARTITIONS');
    expect((await kafkaErrorOf(admin.createTopics([{ name: 'adm-rf5', partitions: 1, replicationFactor: 5 }]))).errorName).toBe('INVALID_REPLICATION_FACTOR');
    const badConfig = await kafkaErrorOf(admin.createTopics([{ name: 'adm-cfg', partitions: 1, replicationFactor: 1, configs: { 'no.such.config': '1' } }]));
    expect(badConfig.errorName).toBe('INVALID_CONFIG');
    expect(badConfig.message).toContain('adm-cfg');
    // validateOnly checks without creating
    await admin.createTopics([{ name: 'adm-dry', partitions: 2, replicationFactor: 1 }], { validateOnly: true });
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining(['adm-a', 'adm-b']));
    expect(topics).not.toEqual(expect.arrayContaining(['adm-dry']));
    for (const name of ['adm-zero', 'adm-rf5', 'adm-cfg']) expect(topics).not.toContain(name);
  }, 30_000);

  it('describes and lists topics, and kcat -L agrees on the partition counts', async () => {
    const [a, b] = await admin.describeTopics(['adm-a', 'adm-b']);
    expect(a.name).toBe('adm-a');
    expect(a.internal).toBe(false);
    expect(a.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.topicId).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(a.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of a.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(p.replicas).toContain(p.leader);
      expect([...p.isr].sort()).toEqual([...p.replicas].sort());
    }
    expect(b.partitions).toHaveLength(1);
    expect(b.partitions[0].replicas).toHaveLength(2);
    const unknown = await kafkaErrorOf(admin.describeTopics(['adm-missing']));
    expect(unknown.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(unknown.message).toContain('adm-missing');

    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap, '-L'], { timeout: 30_000 });
    expect(stdout).toMatch(/3 brokers/);
    expect(stdout).toMatch(/topic "adm-a" with 3 partitions/);
    expect(stdout).toMatch(/topic "adm-b" with 1 partitions/);
  }, 30_000);

  it('alters configs incrementally and describes them (set, then delete back to the default)', async () => {
    const before = await admin.describeConfigs('adm-a');
    expect(before['retention.ms']).toEqual({ value: '3600000', isDefault: false, readOnly: false, sensitive: false, source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(before['cleanup.policy']).toMatchObject({ value: 'delete', isDefault: true, source: 'DEFAULT_CONFIG' });

    await admin.alterConfigs('adm-b', { 'retention.ms': '60000', 'cleanup.policy': 'compact' });
    // brokers learn config changes from the metadata log, so a describe may lag an alter (Kafka
    // promises no read-your-writes here either); this cluster's lag is up to ~1 s, see the report
    const set = await describedWhen(admin, 'adm-b', (c) => c['retention.ms']?.value === '60000', ['retention.ms', 'cleanup.policy']);
    expect(Object.keys(set).sort()).toEqual(['cleanup.policy', 'retention.ms']);
    expect(set['retention.ms']).toMatchObject({ value: '60000', isDefault: false });
    expect(set['cleanup.policy']).toMatchObject({ value: 'compact', isDefault: false });

    // null deletes the override; the other key stays as it was
    await admin.alterConfigs('adm-b', { 'retention.ms': null });
    const reset = await describedWhen(admin, 'adm-b', (c) => c['retention.ms']?.value !== '60000');
    expect(reset['retention.ms']).toMatchObject({ value: DEFAULT_RETENTION_MS, isDefault: true, source: 'DEFAULT_CONFIG' });
    expect(reset['cleanup.policy']).toMatchObject({ value: 'compact', isDefault: false });

    expect((await kafkaErrorOf(admin.alterConfigs('adm-b', { 'retention.ms': 'soon' }))).errorName).toBe('INVALID_CONFIG');
    expect((await kafkaErrorOf(admin.alterConfigs('adm-b', { 'no.such.config': '1' }))).errorName).toBe('INVALID_CONFIG');
    const missing = await kafkaErrorOf(admin.describeConfigs('adm-missing'));
    expect(missing.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(missing.message).toContain('adm-missing');
  }, 30_000);

  it('creates partitions and refuses to shrink', async () => {
    await admin.createPartitions('adm-b', 3);
    const [b] = await admin.describeTopics(['adm-b']);
    expect(b.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(b.partitions.every((p) => p.leader > 0 && p.replicas.length === 2)).toBe(true);
    expect(client.cachedTopic('adm-b')?.partitions).toHaveLength(3);
    expect((await kafkaErrorOf(admin.createPartitions('adm-b', 2))).errorName).toBe('INVALID_PARTITIONS');
    expect((await kafkaErrorOf(admin.createPartitions('adm-missing', 2))).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  }, 30_000);

  it('lists offsets (earliest, latest, by timestamp) and deleteRecords moves the earliest offset', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now() - 60_000;
    // two sends: two batches, timestamps t0 + 0 s .. t0 + 19 s on partition 0, offsets 0..19
    for (const from of [0, 10]) {
      await producer.send({ topic: 'adm-a', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${from + i}`, timestamp: String(t0 + (from + i) * 1000) })) });
    }
    await producer.send({ topic: 'adm-a', acks: -1, messages: Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `w${i}` })) });
    await producer.disconnect();

    expect((await admin.listOffsets('adm-a', 'earliest')).map((o) => [o.partition, o.offset])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    expect((await admin.listOffsets('adm-a', 'latest')).map((o) => [o.partition, o.offset])).toEqual([
      [0, 20],
      [1, 4],
      [2, 0],
    ]);
    const atBatch = await admin.listOffsets('adm-a', { timestamp: t0 + 10_000 });
    expect(atBatch[0]).toEqual({ partition: 0, offset: 10, timestamp: t0 + 10_000 });
    // inside a batch: the first record at or after the timestamp, with its own timestamp
    expect((await admin.listOffsets('adm-a', { timestamp: t0 + 5_500 }))[0]).toEqual({ partition: 0, offset: 6, timestamp: t0 + 6_000 });
    expect((await admin.listOffsets('adm-a', { timestamp: t0 - 1_000 }))[0]).toEqual({ partition: 0, offset: 0, timestamp: t0 });
    // nothing at or after a future timestamp: -1 (partition 2 is empty)
    const future = await admin.listOffsets('adm-a', { timestamp: Date.now() + 3_600_000 });
    expect(future.map((o) => o.offset)).toEqual([-1, -1, -1]);

    expect(await admin.deleteRecords('adm-a', { 0: 5, 1: -1 })).toEqual([
      { partition: 0, lowWatermark: 5 },
      { partition: 1, lowWatermark: 4 },
    ]);
    expect((await admin.listOffsets('adm-a', 'earliest')).map((o) => o.offset)).toEqual([5, 4, 0]);
    expect((await admin.listOffsets('adm-a', 'latest')).map((o) => o.offset)).toEqual([20, 4, 0]);
    const beyond = await kafkaErrorOf(admin.deleteRecords('adm-a', { 0: 1000 }));
    expect(beyond.errorName).toBe('OFFSET_OUT_OF_RANGE');
    expect(beyond.message).toContain('adm-a-0');
    expect((await kafkaErrorOf(admin.listOffsets('adm-missing', 'latest'))).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const noPartition = await kafkaErrorOf(admin.deleteRecords('adm-a', { 7: 0 }));
    expect(noPartition.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(noPartition.message).toContain('no partition 7');
  }, 30_000);

  it('consumer groups: list, describe, fetch offsets, lag, reset (dry run and real), delete', async () => {
    await admin.createTopics([{ name: 'adm-g', partitions: 2, replicationFactor: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    const produce = (from: number, count: number) =>
      producer.send({ topic: 'adm-g', acks: -1, messages: Array.from({ length: count }, (_, i) => ({ partition: (from + i) % 2, value: `g${from + i}` })) });
    await produce(0, 20);

    const consumer = kafka.consumer({ groupId: 'adm-group', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'adm-g', fromBeginning: true });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    try {
      await until(() => seen >= 20, 30_000, 'the consumer to read 20 records');
      const active = await admin.describeGroup('adm-group');
      expect(active).toMatchObject({ groupId: 'adm-group', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
      expect(active.members).toHaveLength(1);
      const [member] = active.members;
      expect(member.clientId).toBe('check');
      expect(member.memberId).toMatch(/^check-/);
      expect(member.clientHost).toContain('127.0.0.1');
      expect(decodeAssignment(member.assignment)).toEqual({ 'adm-g': [0, 1] });
      expect((await admin.listGroups()).find((g) => g.groupId === 'adm-group')).toEqual({ groupId: 'adm-group', protocolType: 'consumer', state: 'Stable' });
      // an admin commit (generation -1, no member id) is only for groups without members
      expect((await kafkaErrorOf(admin.resetOffsets('adm-group', 'adm-g', 'earliest'))).errorName).toBe('UNKNOWN_MEMBER_ID');
    } finally {
      await consumer.disconnect();
    }

    const empty = await admin.describeGroup('adm-group');
    expect(empty).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] });
    expect((await admin.listGroups()).find((g) => g.groupId === 'adm-group')?.state).toBe('Empty');

    const committed = await admin.fetchOffsets('adm-group');
    expect(committed.map((c) => [c.topic, c.partition, c.offset])).toEqual([
      ['adm-g', 0, 10],
      ['adm-g', 1, 10],
    ]);
    expect((await admin.fetchOffsets('adm-group', ['adm-g'])).map((c) => c.offset)).toEqual([10, 10]);
    expect((await admin.fetchOffsets('adm-group', ['adm-b'])).map((c) => [c.topic, c.partition, c.offset])).toEqual([
      ['adm-b', 0, -1],
      ['adm-b', 1, -1],
      ['adm-b', 2, -1],
    ]);

    await produce(20, 5);
    await producer.disconnect();
    const lag = await admin.groupLag('adm-group');
    expect(lag).toEqual([
      { topic: 'adm-g', partition: 0, committed: 10, logEnd: 13, lag: 3 },
      { topic: 'adm-g', partition: 1, committed: 10, logEnd: 12, lag: 2 },
    ]);

    const planned = await admin.resetOffsets('adm-group', 'adm-g', 'earliest', { dryRun: true });
    expect(planned).toEqual([
      { topic: 'adm-g', partition: 0, offset: 0 },
      { topic: 'adm-g', partition: 1, offset: 0 },
    ]);
    expect((await admin.fetchOffsets('adm-group')).map((c) => c.offset)).toEqual([10, 10]);
    expect((await admin.resetOffsets('adm-group', 'adm-g', { offset: 12 }, { dryRun: true })).map((p) => p.offset)).toEqual([12, 12]);
    expect((await admin.resetOffsets('adm-group', 'adm-g', { offset: 1000 }, { dryRun: true })).map((p) => p.offset)).toEqual([13, 12]);
    expect((await admin.resetOffsets('adm-group', 'adm-g', { timestamp: Date.now() + 3_600_000 }, { dryRun: true })).map((p) => p.offset)).toEqual([13, 12]);

    expect(await admin.resetOffsets('adm-group', 'adm-g', 'earliest')).toEqual(planned);
    expect((await admin.fetchOffsets('adm-group')).map((c) => c.offset)).toEqual([0, 0]);
    expect(sum((await admin.groupLag('adm-group')).map((l) => l.lag ?? 0))).toBe(25);

    await admin.deleteGroups(['adm-group']);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain('adm-group');
    expect((await admin.describeGroup('adm-group')).state).toBe('Dead');
    expect(await admin.fetchOffsets('adm-group')).toEqual([]);
    const gone = await kafkaErrorOf(admin.deleteGroups(['adm-group']));
    expect(gone.errorName).toBe('GROUP_ID_NOT_FOUND');
    expect(gone.message).toContain('adm-group');

    // groups live in an internal topic: listed only when asked for
    expect(await admin.listTopics({ includeInternal: true })).toContain('__consumer_offsets');
    expect(await admin.listTopics()).not.toContain('__consumer_offsets');
  }, 60_000);

  it('describes the cluster', async () => {
    const description = await admin.describeCluster();
    expect(description.clusterId).toBeTruthy();
    await client.connect();
    expect(description.clusterId).toBe(client.clusterId);
    expect(description.brokers).toEqual(cluster.brokers.map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.ports.kafka, rack: null })));
    expect(description.brokers.map((b) => b.nodeId)).toContain(description.controllerId);
  }, 30_000);

  it('deletes topics', async () => {
    await admin.deleteTopics(['adm-a', 'adm-b', 'adm-g']);
    const topics = await admin.listTopics();
    for (const name of ['adm-a', 'adm-b', 'adm-g']) expect(topics).not.toContain(name);
    expect(client.cachedTopic('adm-a')).toBeUndefined();
    const again = await kafkaErrorOf(admin.deleteTopics(['adm-a']));
    expect(again.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(again.message).toContain('adm-a');
  }, 30_000);
  it('moves leadership back to the preferred replica with a preferred election after its broker returns', async () => {
    await admin.createTopics([{ name: 'elect', partitions: 1, replicationFactor: 3 }]);
    const [{ partitions: [before] }] = await admin.describeTopics(['elect']);
    const preferred = before.replicas[0];
    expect(before.leader).toBe(preferred);
    const node = cluster.brokers.find((b) => b.id === preferred)!;
    await node.kill('SIGTERM'); // controlled shutdown hands the leadership to another replica
    node.start();
    await node.waitHealthy(60_000, true);
    await until(async () => {
      client.invalidate('elect');
      const [{ partitions: [p] }] = await admin.describeTopics(['elect']);
      return p.leader !== preferred && p.isr.includes(preferred);
    }, 60_000, 'the preferred replica back in the ISR, not leading');

    const [result] = await admin.electLeaders('preferred', [{ topic: 'elect', partition: 0 }]);
    expect(result).toEqual({ topic: 'elect', partition: 0, error: null });
    const [{ partitions: [after] }] = await admin.describeTopics(['elect']);
    expect(after.leader).toBe(preferred);
    const [again] = await admin.electLeaders('preferred', [{ topic: 'elect', partition: 0 }]);
    expect(again.error?.message).toMatch(/ELECTION_NOT_NEEDED/);
    const unknown = await admin.electLeaders('unclean', [{ topic: 'no-such-topic', partition: 0 }]);
    expect(unknown[0].error?.message).toMatch(/UNKNOWN_TOPIC_OR_PARTITION/);
  }, 120_000);
});
