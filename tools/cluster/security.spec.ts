import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } from 'kafkajs';
import { Admin, ClusterClient, Producer } from '@tributary/client';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);
const USERS = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret', broker: 'broker-secret' };

/** SASL/PLAIN logins and ACLs enforced by real broker processes, checked with kafkajs, kcat and the native client. */
describe('SASL/PLAIN and ACLs', () => {
  let cluster: LocalCluster;
  const kafkaAs = (user: keyof typeof USERS, password: string = USERS[user]) =>
    new Kafka({ brokers: cluster.bootstrap.split(','), clientId: `test-${user}`, logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: user, password }, retry: { retries: 2, initialRetryTime: 100 } });
  const kcatAs = (user: keyof typeof USERS, args: string[]) =>
    exec('kcat', ['-b', cluster.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${USERS[user]}`, ...args], { timeout: 30_000 });

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      controllers: 1,
      brokers: 2,
      brokerArgs: [
        '--sasl-plain-users', Object.entries(USERS).map(([user, password]) => `${user}:${password}`).join(','),
        '--sasl-inter-broker-user', 'broker',
        '--authorizer-enabled', 'true',
        '--super-users', 'User:admin',
      ],
    });
    const admin = kafkaAs('admin').admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'orders', numPartitions: 1, replicationFactor: 2 }, { topic: 'payments', numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('refuses requests before a login and a wrong password, and lets a configured user in', async () => {
    const anonymous = new Kafka({ brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
    await anonymous.disconnect();
    const wrong = kafkaAs('alice', 'not-her-password').admin();
    await expect(wrong.connect()).rejects.toThrow(/SASL|Authentication failed/i);
    await wrong.disconnect();
    await expect(exec('kcat', ['-b', cluster.bootstrap, '-L', '-m', '5'], { timeout: 30_000 })).rejects.toThrow();
    const { stdout } = await kcatAs('alice', ['-L']);
    expect(stdout).toMatch(/2 brokers/);
  }, 60_000);

  it('stores, lists and deletes ACLs through kafkajs admin; only a super user may change them', async () => {
    const admin = kafkaAs('admin').admin();
    await admin.connect();
    await admin.createAcls({
      acl: [
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'ord', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:bob', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.GROUP, resourceName: 'bobs', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
        { resourceType: AclResourceTypes.TOPIC, resourceName: 'scratch', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW },
      ],
    });
    const described = await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
    const names = described.resources.map((r) => `${r.resourceType}:${r.resourceName}:${r.acls.map((a) => a.principal).join('+')}`).sort();
    expect(names).toEqual(['2:ord:User:bob', '2:orders:User:alice', '2:scratch:User:alice', '3:bobs:User:bob']);
    const deleted = await admin.deleteAcls({ filters: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'scratch', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }] });
    expect(deleted.filterResponses[0].matchingAcls).toHaveLength(1);
    await admin.disconnect();

    const alice = kafkaAs('alice').admin();
    await alice.connect();
    await expect(alice.createAcls({ acl: [{ resourceType: AclResourceTypes.TOPIC, resourceName: 'payments', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.ALLOW }] })).rejects.toThrow(/authoriz/i);
    await alice.disconnect();
  }, 60_000);

  it('enforces them: alice writes orders but not payments; bob reads orders in his group and cannot write; listings hide the rest', async () => {
    const producer = kafkaAs('alice').producer();
    await producer.connect();
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `order-${i}` })) });
    await expect(producer.send({ topic: 'payments', acks: -1, messages: [{ value: 'nope' }] })).rejects.toThrow(/authoriz/i);
    await producer.disconnect();

    const bobRead = await kcatAs('bob', ['-C', '-t', 'orders', '-o', 'beginning', '-e', '-f', '%s\n']);
    expect(bobRead.stdout.trim().split('\n')).toEqual(Array.from({ length: 10 }, (_, i) => `order-${i}`));
    const bobsProducer = kafkaAs('bob').producer();
    await bobsProducer.connect();
    await expect(bobsProducer.send({ topic: 'orders', messages: [{ value: 'bob was here' }] })).rejects.toThrow(/authoriz/i);
    await bobsProducer.disconnect();

    const consumer = kafkaAs('bob').consumer({ groupId: 'bobs' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    const deadline = Date.now() + 30_000;
    while (seen.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(seen).toHaveLength(10);
    // a group bob has no ACL for: its coordinator is not even disclosed to him
    const bobsClient = new ClusterClient({ brokers: cluster.bootstrap.split(','), sasl: { mechanism: 'plain', username: 'bob', password: USERS.bob } });
    const connection = await bobsClient.anyConnection();
    const found = await connection.request(10, { keyType: 0, coordinatorKeys: ['bobs', 'not-bobs'] });
    expect(found.coordinators.map((c) => [c.key, c.errorCode])).toEqual([['bobs', 0], ['not-bobs', 30]]); // GROUP_AUTHORIZATION_FAILED
    await bobsClient.close();

    // the native client logs in too; its listing shows only what alice may describe
    const client = new ClusterClient({ brokers: cluster.bootstrap.split(','), sasl: { mechanism: 'plain', username: 'alice', password: USERS.alice } });
    expect(await new Admin(client).listTopics()).toEqual(['orders']);
    const native = new Producer(client, { acks: -1, idempotent: false });
    const [meta] = await native.send('orders', { value: 'from the native client' });
    expect(meta.offset).toBe(10);
    await native.close();
    await client.close();
  }, 90_000);

  it('replicates between brokers over SASL: the follower stays in sync', async () => {
    const admin = kafkaAs('admin').admin();
    await admin.connect();
    const deadline = Date.now() + 30_000;
    let isr: number[] = [];
    let leaderId = -1;
    while (Date.now() < deadline) {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
      isr = topics[0].partitions[0].isr;
      leaderId = topics[0].partitions[0].leader;
      if (isr.length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await admin.disconnect();
    expect(isr.sort()).toEqual(cluster.brokers.map((b) => b.id).sort());
    // the follower holds every record: stop the leader and read them all from the other broker
    await cluster.brokers.find((b) => b.id === leaderId)!.kill('SIGTERM');
    const survivor = cluster.brokers.find((b) => b.id !== leaderId)!;
    const expected = [...Array.from({ length: 10 }, (_, i) => `order-${i}`), 'from the native client'];
    let read: string[] = [];
    for (const until = Date.now() + 15_000; Date.now() < until && read.length < expected.length; ) {
      const { stdout } = await exec('kcat', ['-b', `127.0.0.1:${survivor.ports.kafka}`, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=admin', '-X', `sasl.password=${USERS.admin}`, '-C', '-t', 'orders', '-o', 'beginning', '-e', '-f', '%s\n'], { timeout: 30_000 });
      read = stdout.trim().split('\n');
    }
    expect(read).toEqual(expected);
  }, 60_000);
});
