import { encodeBatch } from '@tributary/log-engine';
import { FixedMetadataCluster } from './fixed-metadata-cluster';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Three brokers replicating over the Kafka protocol on real sockets. */
describe('replication over the Kafka wire', () => {
  let cluster: FixedMetadataCluster;
  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(3);
  });
  afterAll(() => cluster.stop());

  it('acks=all completes once both followers fetched; every replica holds the same bytes', async () => {
    cluster.createTopic('replicated', 1, 3);
    const leader = cluster.replicaManager(1);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => leader.appendRecords(-1, 10_000, [{ topic: 'replicated', partition: 0, records: encodeBatch([{ key: `k${i}`, value: `v${i}` }]) }])),
    );
    expect(results.every(([r]) => r.errorCode === 0)).toBe(true);
    const bytes = (id: number) => {
      const p = cluster.replicaManager(id).getPartition('replicated', 0);
      return p ? p.log.read(0, 1 << 24).records : Buffer.alloc(0);
    };
    await until(() => [2, 3].every((id) => cluster.replicaManager(id).getPartition('replicated', 0)?.highWatermark === 50));
    expect(bytes(2)).toEqual(bytes(1));
    expect(bytes(3)).toEqual(bytes(1));
  });
});
