import * as fs from 'node:fs';
import * as path from 'node:path';
import { Admin, ClusterClient, Producer } from '@tributary/client';
import { LocalCluster } from './local-cluster';
import { scrape, total } from './prometheus-scrape';

async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const UNCLEANABLE = 'tributary_broker_log_cleaner_uncleanable_partitions';

/** The one broker's directory of a partition's log. */
function partitionDir(cluster: LocalCluster, name: string): string {
  const brokerDir = fs.readdirSync(cluster.baseDir).find((d) => d.startsWith('broker-')) as string;
  return path.join(cluster.baseDir, brokerDir, 'logs', name);
}

function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => path.join(dir, f));
}

/**
 * A segment of a compacted partition torn behind the broker's back (as a disk fault would):
 * the running broker's cleaner fails on it, says so in its log and metrics, and goes on
 * serving and cleaning the other partitions instead of crashing.
 */
describe('a log cleaner failure in a running broker', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, brokerArgs: ['--log-cleaner-backoff-ms', '100'] });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'cleaner-failure' });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('sets the partition aside, logs it, counts it, and keeps serving and cleaning others', async () => {
    const admin = new Admin(client);
    // compaction is switched on only once the segment is torn, so the cleaner meets the tear
    await admin.createTopics([
      { name: 'torn', partitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '4096' } },
      { name: 'healthy', partitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'segment.bytes': '4096' } },
    ]);
    const producer = new Producer(client, { lingerMs: 0 });
    for (let i = 0; i < 200; i++) await producer.send('torn', [{ key: `k${i % 10}`, value: `torn-${i}-${'x'.repeat(40)}` }]);

    const firstSegment = segmentFiles(partitionDir(cluster, 'torn-0'))[0];
    const size = fs.statSync(firstSegment).size;
    expect(size).toBeGreaterThan(1000);
    fs.truncateSync(firstSegment, size - 7);
    await admin.alterConfigs('torn', { 'cleanup.policy': 'compact' });

    const broker = cluster.brokers[0];
    await until(() => /log cleaner failed.*torn|torn.*log cleaner failed/.test(broker.recentOutput()), 'the cleaner failure in the broker log');
    expect(broker.recentOutput()).toMatch(/file ends early/);
    const metrics = await scrape(`http://127.0.0.1:${broker.httpPort}/metrics`);
    expect(total(metrics, UNCLEANABLE)).toBe(1);
    expect(fs.statSync(firstSegment).size).toBe(size - 7); // not rewritten from what could be read

    // the broker is up, takes writes, and its cleaner still compacts the other topic
    expect(broker.running).toBe(true);
    for (let i = 0; i < 200; i++) await producer.send('healthy', [{ key: `k${i % 10}`, value: `healthy-${i}-${'x'.repeat(40)}` }]);
    await producer.close();
    const bytes = () => segmentFiles(partitionDir(cluster, 'healthy-0')).reduce((sum, f) => sum + fs.statSync(f).size, 0);
    const written = bytes();
    await until(() => bytes() < written / 2, 'the healthy topic compacted');
  }, 90_000);
});
