import { Admin, ClusterClient } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';

const NOT_CONTROLLER = 41;

async function codeOf(work: Promise<unknown>): Promise<number | null> {
  try {
    await work;
    return null;
  } catch (error) {
    return error instanceof KafkaProtocolError ? error.code : -1;
  }
}

async function activeController(controllers: NodeProcess[]): Promise<NodeProcess> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const controller of controllers) {
      const status = (await fetch(`${controller.healthUrl}/ready`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.json())
        .catch(() => null)) as { activeController?: number | null } | null;
      const active = controllers.find((c) => c.id === status?.activeController);
      if (active) return active;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no active controller within 15 s');
}

/**
 * Topic changes reach a broker while no controller is active. During an election (the active
 * controller SIGKILLed) the broker holds a change until the new active controller takes it; with
 * no quorum at all it answers NOT_CONTROLLER once the change's timeout passes. Either way the
 * client's connection stays open for the requests it has in flight beside them.
 */
describe('topic changes while no controller is active', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('are held through an election, answered NOT_CONTROLLER without a quorum, and succeed once one is back', async () => {
    cluster = await LocalCluster.start({ controllers: 3, brokers: 1 });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'no-controller' });
    await client.connect();
    const admin = new Admin(client, { retries: 0 });
    await admin.createTopics([{ name: 'before', partitions: 1, replicationFactor: 1 }]);

    const first = await activeController(cluster.controllers);
    await first.kill('SIGKILL');
    await admin.createTopics([{ name: 'during-election', partitions: 1, replicationFactor: 1 }]);

    const second = await activeController(cluster.controllers.filter((c) => c !== first));
    await second.kill('SIGKILL'); // one of three left: no quorum
    const impatient = new Admin(client, { retries: 0, timeoutMs: 1_500 });
    const listing = admin.listTopics(); // in flight beside the changes that cannot be made
    expect(await codeOf(impatient.createTopics([{ name: 'no-quorum', partitions: 1, replicationFactor: 1 }]))).toBe(NOT_CONTROLLER);
    expect(await codeOf(impatient.createPartitions('before', 2))).toBe(NOT_CONTROLLER);
    expect(await codeOf(impatient.deleteTopics(['before']))).toBe(NOT_CONTROLLER);
    expect(await listing).toEqual(expect.arrayContaining(['before', 'during-election']));

    first.start();
    second.start();
    await Promise.all([first.waitHealthy(30_000, true), second.waitHealthy(30_000, true)]);
    await admin.createTopics([{ name: 'after', partitions: 1, replicationFactor: 1 }]);
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining(['after', 'before', 'during-election']));
    expect(topics).not.toContain('no-quorum');
  }, 120_000);
});
