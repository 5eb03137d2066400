import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

async function consumeAll(bootstrap: string, topic: string, partitions: number): Promise<string[]> {
  const values: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 30_000 });
    values.push(...stdout.split('\n').filter(Boolean));
  }
  return values;
}

/** Real processes: a controller and three brokers; Kafka clients; a broker SIGKILLed mid-way. */
describe('a local cluster serves Kafka clients and survives losing a broker', () => {
  let cluster: LocalCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 3, brokerSessionTimeoutMs: 3000 });
    kafka = new Kafka({ clientId: 'e2e', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200 } });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('creates a replicated topic, keeps every acks=all message through a leader SIGKILL, and re-admits the broker', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true })).toBe(true);
    const { stdout: listing } = await exec('kcat', ['-b', cluster.bootstrap, '-L', '-t', 'orders']);
    expect(listing).toMatch(/3 brokers/);
    expect(listing).toMatch(/topic "orders" with 3 partitions/);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const send = (from: number, count: number) =>
      producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `order-${from + i}` })) });
    for (let batch = 0; batch < 5; batch++) await send(batch * 20, 20);

    const metadata = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const leaderId = metadata.topics[0].partitions.find((p) => p.partitionId === 0)?.leader;
    const victim = cluster.brokers.find((b) => b.id === leaderId);
    expect(victim).toBeDefined();
    await victim?.kill('SIGKILL');

    // the controller fences the silent broker after its session timeout and elects new leaders
    for (let batch = 5; batch < 10; batch++) await send(batch * 20, 20);
    await producer.disconnect();

    const survivors = cluster.brokers.filter((b) => b !== victim).map((b) => `127.0.0.1:${b.ports.kafka}`).join(',');
    const values = await consumeAll(survivors, 'orders', 3);
    expect(values.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `order-${i}`).sort());

    await victim?.restart();
    // the restarted broker catches up and the leaders add it back to every ISR (bounded wait:
    // re-registration waits out the old session, then catch-up, then AlterPartition)
    let isr: number[][] = [];
    for (let attempt = 0; attempt < 300; attempt++) {
      isr = (await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0].partitions.map((p) => p.isr);
      if (isr.every((members) => members.length === 3)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(isr.map((members) => members.length)).toEqual([3, 3, 3]);
    await admin.disconnect();
  }, 120_000);

  it('consumer groups: kafkajs consumes everything once with committed offsets; kcat joins a group too', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2, replicationFactor: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `event-${i}` })) });

    const seen: string[] = [];
    const consume = async (expected: number) => {
      const consumer = kafka.consumer({ groupId: 'analytics', sessionTimeout: 10_000, heartbeatInterval: 500 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'events', fromBeginning: true });
      const before = seen.length;
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
      for (let i = 0; i < 300 && seen.length < before + expected; i++) await new Promise((r) => setTimeout(r, 100));
      await consumer.disconnect();
    };
    await consume(50);
    expect([...seen].sort()).toEqual(Array.from({ length: 50 }, (_, i) => `event-${i}`).sort());

    const committed = await admin.fetchOffsets({ groupId: 'analytics', topics: ['events'] });
    expect(committed[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(50);

    // a restarted member continues from the committed offsets: only the new messages arrive
    await producer.send({ topic: 'events', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `late-${i}` })) });
    await consume(10);
    expect(seen.slice(50).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `late-${i}`).sort());
    await producer.disconnect();

    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain('analytics');

    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap, '-G', 'kcat-group', 'events', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 60_000 });
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(60);

    await admin.deleteGroups(['analytics']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('analytics');
    const afterDelete = await admin.fetchOffsets({ groupId: 'analytics', topics: ['events'] });
    expect(afterDelete[0].partitions.every((p) => p.offset === '-1')).toBe(true);
    await admin.disconnect();
  }, 120_000);

  it('a group of three rebalances when a member leaves and the others take over its partitions', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'work', numPartitions: 3, replicationFactor: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const assignments = new Map<string, number[]>();
    const received: string[] = [];
    const members = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const consumer = kafka.consumer({ groupId: 'workers', sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 300 });
        consumer.on(consumer.events.GROUP_JOIN, (event) => assignments.set(name, event.payload.memberAssignment.work ?? []));
        await consumer.connect();
        await consumer.subscribe({ topic: 'work', fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
        return consumer;
      }),
    );
    const settled = () => [...assignments.values()].flat().sort().join(',') === '0,1,2';
    for (let i = 0; i < 200 && !(assignments.size === 3 && settled() && [...assignments.values()].every((p) => p.length === 1)); i++) await new Promise((r) => setTimeout(r, 100));
    expect([...assignments.values()].map((p) => p.length)).toEqual([1, 1, 1]);

    await members[2].disconnect(); // LeaveGroup: a and b share the three partitions
    assignments.delete('c');
    for (let i = 0; i < 200 && !(settled() && [...assignments.values()].every((p) => p.length >= 1)); i++) await new Promise((r) => setTimeout(r, 100));
    expect([...assignments.values()].flat().sort()).toEqual([0, 1, 2]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'work', acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `job-${i}`, value: `job-${i}` })) });
    await producer.disconnect();
    for (let i = 0; i < 200 && received.length < 30; i++) await new Promise((r) => setTimeout(r, 100));
    expect([...received].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `job-${i}`).sort());
    await Promise.all(members.slice(0, 2).map((m) => m.disconnect()));
  }, 120_000);
});
