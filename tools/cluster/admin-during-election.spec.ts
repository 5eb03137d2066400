import { Admin, ClusterClient } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { LocalCluster } from './local-cluster';

const NOT_CONTROLLER = 41;

async function codeOf(work: Promise<unknown>): Promise<number | null> {
  try {
    await work;
    return null;
  } catch (error) {
    return error instanceof KafkaProtocolError ? error.code : -1;
  }
}

/**
 * Topic changes reach the broker while no controller is active (2 of 3 killed: no quorum, as
 * during an election): each is answered NOT_CONTROLLER, which clients retry, and the client's
 * connection stays open for the requests it has in flight beside them.
 */
describe('topic changes while the controller quorum has no leader', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('are answered NOT_CONTROLLER on an open connection, and succeed once a controller is active again', async () => {
    cluster = await LocalCluster.start({ controllers: 3, brokers: 1 });
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'no-quorum' });
    await client.connect();
    const admin = new Admin(client, { retries: 0 });
    await admin.createTopics([{ name: 'before', partitions: 1, replicationFactor: 1 }]);

    const [, second, third] = cluster.controllers;
    await second.kill('SIGKILL');
    await third.kill('SIGKILL');
    const listing = admin.listTopics(); // in flight beside the changes that cannot be made
    expect(await codeOf(admin.createTopics([{ name: 'during', partitions: 1, replicationFactor: 1 }]))).toBe(NOT_CONTROLLER);
    expect(await codeOf(admin.createPartitions('before', 2))).toBe(NOT_CONTROLLER);
    expect(await codeOf(admin.deleteTopics(['before']))).toBe(NOT_CONTROLLER);
    expect(await listing).toContain('before');
    expect(await admin.listTopics()).not.toContain('during');

    second.start();
    third.start();
    await Promise.all([second.waitHealthy(30_000, true), third.waitHealthy(30_000, true)]);
    await new Admin(client, { retries: 10 }).createTopics([{ name: 'after', partitions: 1, replicationFactor: 1 }]);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(['after', 'before']));
  }, 120_000);
});
