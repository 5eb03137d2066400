import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } from 'kafkajs';
import { LocalCluster } from './local-cluster';

const USERS = { admin: 'admin-secret', alice: 'alice-secret', broker: 'broker-secret' };

/** Polls `condition` every 100 ms, at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < limitMs && !condition(); ) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Transactions on SASL brokers with ACLs: a transactional id is a resource (WRITE to use it), and
 * the coordinator's markers reach the other broker over its SASL login (WriteTxnMarkers).
 */
describe('transactions with SASL and ACLs', () => {
  let cluster: LocalCluster;
  const kafkaAs = (user: keyof typeof USERS) =>
    new Kafka({ brokers: cluster.bootstrap.split(','), clientId: `txn-${user}`, logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: user, password: USERS[user] }, retry: { retries: 6, initialRetryTime: 100 } });

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      controllers: 1,
      brokers: 2,
      brokerArgs: [
        '--sasl-plain-users', Object.entries(USERS).map(([user, password]) => `${user}:${password}`).join(','),
        '--sasl-inter-broker-user', 'broker',
        '--authorizer-enabled', 'true',
        '--super-users', 'User:admin',
        '--transaction-state-topic-partitions', '4',
      ],
    });
    const admin = kafkaAs('admin').admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'ledger', numPartitions: 4, replicationFactor: 2 }] });
    const allow = (resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes) => ({
      resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
    });
    await admin.createAcls({
      acl: [
        allow(AclResourceTypes.TOPIC, 'ledger', AclOperationTypes.WRITE),
        allow(AclResourceTypes.TRANSACTIONAL_ID, 'alice-tx', AclOperationTypes.WRITE),
        allow(AclResourceTypes.TRANSACTIONAL_ID, 'look-only-tx', AclOperationTypes.DESCRIBE),
      ],
    });
    await admin.disconnect();
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a transactional id without WRITE on it, and commits with one across both brokers', async () => {
    // no ACL at all: FindCoordinator is refused (kafkajs reports it as no coordinator found)
    const unknown = kafkaAs('alice').producer({ transactionalId: 'someone-elses-tx', idempotent: true, maxInFlightRequests: 1 });
    await unknown.connect();
    await expect(unknown.transaction()).rejects.toThrow(/coordinator/i);
    await unknown.disconnect();
    // DESCRIBE finds the coordinator, but InitProducerId needs WRITE
    const lookOnly = kafkaAs('alice').producer({ transactionalId: 'look-only-tx', idempotent: true, maxInFlightRequests: 1 });
    await lookOnly.connect();
    await expect(lookOnly.transaction()).rejects.toMatchObject({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' });
    await lookOnly.disconnect();

    const producer = kafkaAs('alice').producer({ transactionalId: 'alice-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    // four partitions over two brokers: at least one marker goes to the broker that does not coordinate
    await txn.send({ topic: 'ledger', messages: Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `entry-${i}` })) });
    await txn.commit();
    await producer.disconnect();

    const consumer = kafkaAs('admin').consumer({ groupId: 'ledger-reader', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ledger', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await until(() => seen.length >= 8);
    await consumer.disconnect();
    expect(seen.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `entry-${i}`).sort());
  }, 120_000);
});
