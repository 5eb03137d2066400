import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager, encodeBatch } from '@tributary/log-engine';
import { MetadataImage, MetadataRecord } from '@tributary/protocol';
import { ReplicaFetcherManager } from '../replica/replica-fetcher-manager';
import { ReplicaManager } from '../replica/replica-manager';
import { MetadataPublisher } from './metadata-publisher';

interface TestBroker {
  logs: LogManager;
  replicas: ReplicaManager;
  fetchers: ReplicaFetcherManager;
  publisher: MetadataPublisher;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MetadataPublisher', () => {
  let root: string;
  const brokers = new Map<number, TestBroker>();
  const image = new MetadataImage();
  const commit = (...records: MetadataRecord[]) => {
    for (const r of records) image.apply(r, image.offset + 1);
    for (const b of brokers.values()) b.publisher.publish(image);
  };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'publisher-'));
    for (const id of [1, 2]) {
      const logs = LogManager.open({ dataDir: path.join(root, `b${id}`) });
      const replicas = new ReplicaManager(logs, { brokerId: id }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
      const fetchers = new ReplicaFetcherManager(
        replicas,
        (leaderId) => {
          const leader = (brokers.get(leaderId) as TestBroker).replicas;
          return { fetch: (p) => leader.fetch(p), offsetForLeaderEpoch: async (t, p, e) => leader.offsetForLeaderEpoch(t, p, e), logOffsets: async (t, p) => leader.logOffsets(t, p) };
        },
        { brokerId: id, maxWaitMs: 50, backoffMs: 20 },
      );
      brokers.set(id, { logs, replicas, fetchers, publisher: new MetadataPublisher(id, replicas, fetchers, { log: {}, minInsyncReplicas: 1 }) });
    }
  });

  afterAll(async () => {
    for (const b of brokers.values()) {
      await b.fetchers.shutdown();
      b.replicas.shutdown();
      b.logs.close();
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('makes the leader and a replicating follower from a partition record, with topic configs applied', async () => {
    commit(
      { type: 'topic', name: 'orders', topicId: 'T' },
      { type: 'config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '60000' },
      { type: 'partition', topicId: 'T', partitionId: 0, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
    );
    const leader = brokers.get(1)?.replicas.getPartition('orders', 0);
    const follower = brokers.get(2)?.replicas.getPartition('orders', 0);
    expect(leader?.isLeader).toBe(true);
    expect(follower?.isLeader).toBe(false);
    expect(leader?.log.config.retentionMs).toBe(60000);
    const [result] = (await brokers.get(1)?.replicas.appendRecords(-1, 5000, [{ topic: 'orders', partition: 0, records: encodeBatch([{ value: 'x' }]) }])) ?? [];
    expect(result.errorCode).toBe(0);
    await until(() => follower?.logEndOffset === 1);
  });

  it('swaps roles on a leader change and keeps replicating the other way', async () => {
    commit({ type: 'partitionChange', topicId: 'T', partitionId: 0, leader: 2 });
    const newLeader = brokers.get(2)?.replicas.getPartition('orders', 0);
    const newFollower = brokers.get(1)?.replicas.getPartition('orders', 0);
    expect(newLeader?.isLeader).toBe(true);
    expect(brokers.get(2)?.fetchers.fetcherCount).toBe(0);
    expect(brokers.get(1)?.fetchers.fetcherCount).toBe(1);
    const [result] = (await brokers.get(2)?.replicas.appendRecords(-1, 5000, [{ topic: 'orders', partition: 0, records: encodeBatch([{ value: 'y' }]) }])) ?? [];
    expect(result).toMatchObject({ errorCode: 0, baseOffset: 1 });
    await until(() => newFollower?.logEndOffset === 2);
  });

  it('deletes the logs of a removed topic on every replica', () => {
    commit({ type: 'removeTopic', topicId: 'T' });
    for (const b of brokers.values()) {
      expect(b.replicas.getPartition('orders', 0)).toBeUndefined();
      expect(b.logs.partitions()).toEqual([]);
      expect(b.fetchers.fetcherCount).toBe(0);
    }
  });
});
