import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MetadataFetchResponse, RpcClient } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';
import { activeController, quorumStatus } from './quorum-status';

/** Three controller processes on Raft, three brokers; the active controller is SIGKILLed. */
describe('a 3-controller quorum', () => {
  let cluster: LocalCluster;
  afterAll(() => cluster?.stop(), 60_000);

  it('elects a new active controller within 2 s of a SIGKILL, loses no committed change, and survives a full restart', async () => {
    cluster = await LocalCluster.start({ controllers: 3, brokers: 3, brokerSessionTimeoutMs: 3000 });
    const kafka = new Kafka({ clientId: 'quorum', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    for (let i = 0; i < 5; i++) await admin.createTopics({ topics: [{ topic: `before-${i}`, numPartitions: 2, replicationFactor: 3 }], waitForLeaders: true });

    const first = await activeController(cluster.controllers, 5000);
    const victim = cluster.controllers.find((c) => c.id === first.id) as NodeProcess;
    await victim.kill('SIGKILL');
    const next = await activeController(cluster.controllers.filter((c) => c !== victim), 5000);
    expect(next.id).not.toBe(first.id);
    expect(next.elapsedMs).toBeLessThan(2000);

    // the cluster keeps accepting metadata changes through the new active controller
    await admin.createTopics({ topics: [{ topic: 'after-failover', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    const topics = (await admin.listTopics()).sort();
    expect(topics).toEqual(expect.arrayContaining(['after-failover', 'before-0', 'before-1', 'before-2', 'before-3', 'before-4']));
    await victim.restart();

    // every controller restarts (SIGKILL): the state comes back from their disks
    for (const controller of cluster.controllers) await controller.kill('SIGKILL');
    for (const controller of cluster.controllers) controller.start();
    await Promise.all(cluster.controllers.map((c) => c.waitHealthy(30_000, true)));
    await activeController(cluster.controllers, 5000);
    const answers = await Promise.all(cluster.controllers.map(quorumStatus));
    expect(new Set(answers.map((a) => a?.appliedOffset)).size).toBe(1);
    await admin.createTopics({ topics: [{ topic: 'after-restart', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    // every broker's metadata image follows the restarted quorum; the one kafkajs asks may be a moment behind (bounded wait)
    const expected = ['after-failover', 'after-restart', 'before-0', 'before-4'];
    let listed: string[] = [];
    for (let attempt = 0; attempt < 100 && !expected.every((t) => listed.includes(t)); attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 100));
      listed = await admin.listTopics();
    }
    expect(listed.sort()).toEqual(expect.arrayContaining(expected));
    await admin.disconnect();
  }, 180_000);
});

/** The last index a controller's Raft snapshot covers (0 without one): magic, meta length, meta JSON. */
function snapshotIndex(controllerDir: string): number {
  const file = path.join(controllerDir, 'raft', 'raft-snapshot');
  if (!fs.existsSync(file)) return 0;
  const bytes = fs.readFileSync(file);
  const metaLength = bytes.readUInt32BE(8);
  return (JSON.parse(bytes.subarray(12, 12 + metaLength).toString('utf8')) as { index: number }).index;
}

describe('metadata snapshots', () => {
  let cluster: LocalCluster;
  afterAll(() => cluster?.stop(), 60_000);

  it('trims the metadata log behind snapshots, and a controller that missed the trimmed part catches up from one', async () => {
    cluster = await LocalCluster.start({ controllers: 3, brokers: 1, controllerArgs: ['--snapshot-interval-entries', '10'] });
    const kafka = new Kafka({ clientId: 'snapshots', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200 } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'early', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const active = await activeController(cluster.controllers, 5000);
    const laggard = cluster.controllers.find((c) => c.id !== active.id) as NodeProcess;
    const missedFrom = (await quorumStatus(laggard))?.appliedOffset ?? 0;
    await laggard.kill('SIGKILL');

    const names = Array.from({ length: 30 }, (_, i) => `missed-${i}`);
    for (const topic of names) await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    // the two running controllers snapshotted past everything the laggard has, and trimmed their logs behind
    for (const node of cluster.controllers.filter((c) => c !== laggard)) expect(snapshotIndex(path.join(cluster.baseDir, `controller-${node.id}`))).toBeGreaterThan(missedFrom + 10);

    laggard.start();
    await laggard.waitHealthy(30_000, true);
    const target = (await quorumStatus(cluster.controllers.find((c) => c.id === active.id) as NodeProcess))?.appliedOffset ?? Infinity;
    const deadline = Date.now() + 30_000;
    while (((await quorumStatus(laggard))?.appliedOffset ?? 0) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await quorumStatus(laggard))?.appliedOffset).toBeGreaterThanOrEqual(target);
    // it serves brokers the whole state: a reader from offset 0 is behind its trimmed log and gets the image
    const rpc = new RpcClient({ host: '127.0.0.1', port: laggard.ports.rpc, requestTimeoutMs: 5_000 });
    const answer = await rpc.request<MetadataFetchResponse>('metadata.fetch', { fromOffset: 0, maxRecords: 10_000, maxWaitMs: 0 }, 5_000);
    rpc.close();
    expect(answer.snapshot?.offset).toBeGreaterThanOrEqual(target);
    const topics = (answer.snapshot?.records ?? []).flatMap((r) => (r.type === 'topic' ? [r.name] : []));
    expect(topics).toEqual(expect.arrayContaining(['early', ...names]));
    await admin.disconnect();
  }, 180_000);
});
