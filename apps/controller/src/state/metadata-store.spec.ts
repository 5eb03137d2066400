import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetadataApplyError, MetadataRecord } from '@tributary/protocol';
import { MetadataStore } from './metadata-store';

const records: MetadataRecord[] = [
  { type: 'registerBroker', brokerId: 1, incarnationId: 'a', brokerEpoch: 0, endPoints: [{ name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 'PLAINTEXT' }], rack: 'r1', fenced: true },
  { type: 'unfenceBroker', brokerId: 1, brokerEpoch: 0 },
  { type: 'topic', name: 'orders', topicId: 'T1' },
  { type: 'config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '5000' },
  { type: 'partition', topicId: 'T1', partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
  { type: 'partitionChange', topicId: 'T1', partitionId: 0, isr: [1] },
  { type: 'producerIds', brokerId: 1, brokerEpoch: 0, nextProducerId: 1000 },
  { type: 'acl', id: 'acl1', resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
];

describe('MetadataStore (SQLite via TypeORM)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metadata-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('materialises records with the applied offset and reloads the same image after a restart', async () => {
    const file = path.join(dir, 'metadata.db');
    const store = await MetadataStore.open(file);
    await store.apply(records.slice(0, 4).map((record, offset) => ({ offset, records: [record] })));
    await store.apply(records.slice(4).map((record, i) => ({ offset: 4 + i, records: [record] })));
    const expected = store.image.clone();
    await store.close();

    const reopened = await MetadataStore.open(file);
    expect(reopened.appliedOffset).toBe(7);
    expect(reopened.image).toEqual(expected);
    expect(reopened.image.topicByName('orders')?.partitions.get(0)?.partitionEpoch).toBe(1);
    expect(reopened.image.brokers.get(1)?.fenced).toBe(false);
    await reopened.close();
  });

  it('skips records it already applied (idempotent replay of the log tail)', async () => {
    const store = await MetadataStore.open(path.join(dir, 'm.db'));
    const all = records.map((record, offset) => ({ offset, records: [record] }));
    await store.apply(all.slice(0, 5));
    await store.apply(all); // replays 0-4, applies 5-7
    expect(store.appliedOffset).toBe(7);
    expect(store.image.topicByName('orders')?.partitions.get(0)?.partitionEpoch).toBe(1);
    await store.close();
  });

  it('writes nothing of a batch containing a record that cannot apply', async () => {
    const file = path.join(dir, 'm.db');
    const store = await MetadataStore.open(file);
    await store.apply([{ offset: 0, records: [records[2]] }]);
    await expect(store.apply([{ offset: 1, records: [records[3]] }, { offset: 2, records: [{ type: 'removeTopic', topicId: 'nope' }] }])).rejects.toThrow(MetadataApplyError);
    expect(store.appliedOffset).toBe(0);
    await store.close();
    const reopened = await MetadataStore.open(file);
    expect(reopened.appliedOffset).toBe(0);
    expect(reopened.image.topicConfig('orders').size).toBe(0);
    await reopened.close();
  });

  it('snapshots to a consistent copy that replaces the state of a store, on disk too', async () => {
    const store = await MetadataStore.open(path.join(dir, 'live.db'));
    await store.apply([{ offset: 7, records }]);
    const snapshot = await store.snapshotBytes();
    expect(snapshot.offset).toBe(7);
    await store.apply([{ offset: 8, records: [{ type: 'removeTopic', topicId: 'T1' }] }, { offset: 9, records: [] }]);
    expect(store.image.topicByName('orders')).toBeUndefined();

    const image = store.image;
    await store.restore(snapshot.data);
    expect(store.image).toBe(image); // the same image object, which the controller holds, now restored
    expect(store.appliedOffset).toBe(7);
    expect(store.image.topicByName('orders')).toBeDefined();
    await store.apply([{ offset: 8, records: [{ type: 'removeTopic', topicId: 'T1' }] }]); // and it goes on from there
    await store.close();

    const reopened = await MetadataStore.open(path.join(dir, 'live.db'));
    expect(reopened.appliedOffset).toBe(8);
    expect(reopened.image.topicByName('orders')).toBeUndefined();
    expect(reopened.image.nextProducerId).toBe(1000);
    await reopened.close();
  });
});
