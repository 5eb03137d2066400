import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);

/** One broker SIGKILLed and restarted: acknowledged records and committed group offsets remain. */
describe('a broker SIGKILL and restart', () => {
  let cluster: LocalCluster;
  afterAll(() => cluster?.stop(), 60_000);

  it('loses no acks=all record and consumers resume from their committed offsets', async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, brokerSessionTimeoutMs: 2000 });
    const kafka = new Kafka({ clientId: 'restart', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200 } });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'ledger', acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 7}`, value: `entry-${i}` })) });
    await producer.disconnect();

    // a group consumes the first 100 and commits
    const consumer = kafka.consumer({ groupId: 'auditors', sessionTimeout: 6_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ledger', fromBeginning: true });
    let consumed = 0;
    await consumer.run({ eachMessage: async () => void consumed++ });
    for (let i = 0; i < 200 && consumed < 100; i++) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(consumed).toBe(100);

    await cluster.brokers[0].kill('SIGKILL');
    await cluster.brokers[0].restart();

    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap, '-C', '-t', 'ledger', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 30_000 });
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `entry-${i}`).sort());
    const { stdout: tail } = await exec('kcat', ['-b', cluster.bootstrap, '-C', '-t', 'ledger', '-o', '-3', '-e', '-q', '-f', '%o\n'], { timeout: 30_000 });
    expect(tail.split('\n').filter(Boolean)).toEqual(['97', '98', '99']);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'auditors', topics: ['ledger'] });
    expect(offsets[0].partitions.map((p) => Number(p.offset))).toEqual([100]);
    await admin.disconnect();
  }, 120_000);
});
