import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { FixedMetadataCluster } from './fixed-metadata-cluster';

const exec = promisify(execFile);
/** Debian's python3 with python3-confluent-kafka (installed by .ci/run beside kcat). */
const PYTHON = '/usr/bin/python3';

/**
 * librdkafka's transactional producer (through confluent-kafka-python) on two brokers: it sends
 * InitProducerId v4 and TxnOffsetCommit v3, flexible versions kafkajs never uses, and its
 * send_offsets_to_transaction carries the consumer's generation and member id (checked by the
 * group coordinator).
 */
describe('transactions with librdkafka', () => {
  let cluster: FixedMetadataCluster;
  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(2);
    cluster.createTopic('__consumer_offsets', 4);
    cluster.createTopic('__transaction_state', 4);
  });
  afterAll(() => cluster.stop());

  it('commits, aborts and commits a consume-transform-produce step; kcat and kafkajs see only what was committed', async () => {
    cluster.createTopic('rd-out', 2, 2);
    cluster.createTopic('rd-in', 1, 2);
    const bootstrap = `${cluster.bootstrap(1)},${cluster.bootstrap(2)}`;
    const kafka = new Kafka({ clientId: 'rd-check', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const input = kafka.producer();
    await input.connect();
    await input.send({ topic: 'rd-in', messages: Array.from({ length: 4 }, (_, i) => ({ value: `in-${i}` })) });
    await input.disconnect();

    const { stdout } = await exec(PYTHON, [path.join(__dirname, 'rdkafka-transactions.py'), bootstrap, 'rd-out', 'rd-in', 'rd-transformer'], { timeout: 90_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ consumed: 4, committedOffset: 4 });

    const lines: string[] = [];
    for (const partition of ['0', '1']) {
      const read = await exec('kcat', ['-b', bootstrap, '-C', '-t', 'rd-out', '-p', partition, '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 20_000 });
      lines.push(...read.stdout.split('\n').filter(Boolean));
    }
    const committed = [...Array.from({ length: 5 }, (_, i) => `rd-commit-${i}`), ...Array.from({ length: 4 }, (_, i) => `rd-transformed-in-${i}`)];
    expect(lines.sort()).toEqual(committed.sort());

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'rd-transformer', topics: ['rd-in'] });
    await admin.disconnect();
    expect(offsets[0].partitions.map((p) => Number(p.offset))).toEqual([4]);
  }, 120_000);
});
