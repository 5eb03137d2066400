import { MetadataApplyError, MetadataImage } from './metadata-image';
import { MetadataRecord } from './metadata-records';

const broker = (brokerId: number, rack: string | null = null): MetadataRecord => ({
  type: 'registerBroker',
  brokerId,
  incarnationId: `inc-${brokerId}`,
  brokerEpoch: 10 + brokerId,
  endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + brokerId, securityProtocol: 'PLAINTEXT' }],
  rack,
  fenced: true,
});

function applyAll(image: MetadataImage, records: MetadataRecord[]): void {
  for (const record of records) image.apply(record, image.offset + 1);
}

describe('MetadataImage', () => {
  it('materialises topics, partitions and brokers, and follows partition changes', () => {
    const image = new MetadataImage();
    applyAll(image, [
      broker(1),
      broker(2),
      { type: 'unfenceBroker', brokerId: 1, brokerEpoch: 11 },
      { type: 'topic', name: 'orders', topicId: 'T1' },
      { type: 'partition', topicId: 'T1', partitionId: 0, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
      { type: 'partitionChange', topicId: 'T1', partitionId: 0, isr: [1] },
      { type: 'partitionChange', topicId: 'T1', partitionId: 0, leader: 2, isr: [2] },
      { type: 'partitionChange', topicId: 'T1', partitionId: 0, leader: -2 },
    ]);
    expect(image.activeBrokers().map((b) => b.brokerId)).toEqual([1]);
    expect(image.topicByName('orders')?.partitions.get(0)).toEqual({ partitionId: 0, replicas: [1, 2], isr: [2], leader: 2, leaderEpoch: 1, partitionEpoch: 3 });
  });

  it('sets and removes configs, removes topics with their configs', () => {
    const image = new MetadataImage();
    applyAll(image, [
      { type: 'topic', name: 't', topicId: 'T' },
      { type: 'config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: '1000' },
      { type: 'config', resourceType: 'topic', resourceName: 't', name: 'cleanup.policy', value: 'compact' },
      { type: 'config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: null },
    ]);
    expect([...image.topicConfig('t')]).toEqual([['cleanup.policy', 'compact']]);
    image.apply({ type: 'removeTopic', topicId: 'T' }, 10);
    expect(image.topicByName('t')).toBeUndefined();
    expect(image.topicConfig('t').size).toBe(0);
    expect(image.offset).toBe(10);
  });

  it('refuses records that cannot apply instead of skipping them', () => {
    const image = new MetadataImage();
    expect(() => image.apply({ type: 'partitionChange', topicId: 'nope', partitionId: 0, isr: [] }, 0)).toThrow(MetadataApplyError);
    image.apply({ type: 'topic', name: 't', topicId: 'T' }, 0);
    expect(() => image.apply({ type: 'topic', name: 't', topicId: 'T2' }, 1)).toThrow(/already exists/);
    image.apply(broker(1), 2);
    expect(() => image.apply({ type: 'fenceBroker', brokerId: 1, brokerEpoch: 99 }, 3)).toThrow(/epoch/);
    image.apply({ type: 'producerIds', brokerId: 1, brokerEpoch: 11, nextProducerId: 1000 }, 4);
    expect(() => image.apply({ type: 'producerIds', brokerId: 1, brokerEpoch: 11, nextProducerId: 1000 }, 5)).toThrow(/forward/);
  });
});
