import { Kafka, logLevel } from 'kafkajs';
import { KafkaConnection } from '@tributary/client';
import { LocalCluster } from './local-cluster';

/** Polls `condition` every 100 ms, at most `limitMs`. */
async function until(condition: () => boolean, limitMs = 30_000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < limitMs && !condition(); ) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** FindCoordinator (key type 1) asked of the broker at `address`: the node id coordinating `transactionalId`. */
async function transactionCoordinatorOf(address: string, transactionalId: string): Promise<number> {
  const [host, port] = address.split(':');
  const connection = new KafkaConnection({ host, port: Number(port), clientId: 'find-txn-coordinator' });
  await connection.connect();
  try {
    const answer = await connection.request(10, { keyType: 1, coordinatorKeys: [transactionalId] });
    const found = answer.coordinators[0];
    if (found.errorCode !== 0) throw new Error(`FindCoordinator failed with error ${found.errorCode}`);
    return found.nodeId;
  } finally {
    connection.close();
  }
}

/**
 * The broker coordinating a transactional id is SIGKILLed with the id's transaction open: the new
 * leader of its __transaction_state partition loads the state, and the next producer of the id
 * gets the open transaction aborted on the surviving partition leaders, then commits its own.
 */
describe('transaction coordinator failover', () => {
  let cluster: LocalCluster;
  afterAll(() => cluster?.stop(), 60_000);

  it('a new coordinator takes over the open transaction of a killed one', async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 3, brokerSessionTimeoutMs: 2000, brokerArgs: ['--transaction-state-topic-partitions', '3'] });
    const kafkaOn = (bootstrap: string[]) => new Kafka({ clientId: 'txn-failover', brokers: bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 15, initialRetryTime: 200 } });
    const kafka = kafkaOn(cluster.bootstrap.split(','));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'failover-out', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const doomed = kafka.producer({ transactionalId: 'mover', idempotent: true, maxInFlightRequests: 1, transactionTimeout: 120_000, retry: { retries: 1 } });
    await doomed.connect();
    const open = await doomed.transaction();
    await open.send({ topic: 'failover-out', messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `lost-${i}` })) });

    const coordinatorId = await transactionCoordinatorOf(cluster.bootstrap.split(',')[0], 'mover');
    const coordinator = cluster.brokers.find((b) => b.id === coordinatorId);
    if (!coordinator) throw new Error(`no broker ${coordinatorId}`);
    await coordinator.kill('SIGKILL');
    await doomed.disconnect().catch(() => undefined);

    const survivors = cluster.brokers.filter((b) => b !== coordinator).map((b) => `127.0.0.1:${b.ports.kafka}`);
    const after = kafkaOn(survivors);
    const successor = after.producer({ transactionalId: 'mover', idempotent: true, maxInFlightRequests: 1 });
    await successor.connect();
    const txn = await successor.transaction(); // reaches the new coordinator once the controller moved the partition
    expect(await transactionCoordinatorOf(survivors[0], 'mover')).not.toBe(coordinatorId);
    await txn.send({ topic: 'failover-out', messages: Array.from({ length: 3 }, (_, i) => ({ key: `k${i}`, value: `kept-${i}` })) });
    await txn.commit();
    await successor.disconnect();

    const consumer = after.consumer({ groupId: 'failover-reader', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'failover-out', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
    await until(() => seen.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // an aborted record delivered late would show now
    await consumer.disconnect();
    expect(seen.sort()).toEqual(['kept-0', 'kept-1', 'kept-2']);
  }, 180_000);
});
