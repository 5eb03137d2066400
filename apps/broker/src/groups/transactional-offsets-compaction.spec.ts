import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogCleaner, LogManager, decodeRecords, readHeader } from '@tributary/log-engine';
import { MetadataImage } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';
import { ReplicaManager } from '../replica/replica-manager';
import { LocalMarkerWriter } from '../transactions/txn-markers';
import { GroupCoordinator, OFFSETS_TOPIC } from './group-coordinator';
import { decodeCoordinatorKey } from './group-metadata-records';
import { decodeOffsetValue } from './offset-records';

const noController: ControllerChannel = {
  call: (async (pattern: string) => {
    throw new Error(`no controller in this test (${pattern})`);
  }) as ControllerChannel['call'],
};

/** __consumer_offsets-0 on a real log (small segments so commits roll into cleanable ones); reopening the dir is a restart. */
function openBroker(dir: string) {
  const logs = LogManager.open({ dataDir: dir });
  const replicas = new ReplicaManager(logs, { brokerId: 1 }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
  const image = new MetadataImage();
  const topicId = randomUUID();
  image.apply({ type: 'topic', name: OFFSETS_TOPIC, topicId }, 1);
  image.apply({ type: 'partition', topicId, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }, 2);
  replicas.becomeLeaderOrFollower(OFFSETS_TOPIC, 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] }, { cleanupPolicy: 'compact', segmentBytes: 1024 });
  const coordinator = new GroupCoordinator({ brokerId: 1, listenerName: 'PLAINTEXT', metadata: () => image, replicas, controller: noController }, {}, { nowMs: () => Date.now() });
  const markers = new LocalMarkerWriter(replicas, (partition, producerId, commit) => coordinator.onTransactionMarker(partition, producerId, commit), OFFSETS_TOPIC);
  return {
    replicas,
    coordinator,
    markers,
    close: () => {
      replicas.shutdown();
      logs.close();
    },
  };
}

/**
 * __consumer_offsets after TxnOffsetCommit, compacted: the offsets of aborted transactions leave
 * the log, committed ones stay the group's offsets, and a coordinator that loads the cleaned
 * partition (a restart) answers the same offsets.
 */
describe('transactional offset commits in a compacted __consumer_offsets', () => {
  let dir: string;
  let broker: ReturnType<typeof openBroker>;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-offsets-compaction-'));
    broker = openBroker(dir);
  });
  afterEach(() => {
    broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const txnCommit = async (producerId: number, partition: number, offset: number, commit: boolean) => {
    const code = await broker.coordinator.txnCommit('eos', { producerId, producerEpoch: 0 }, { memberId: '', generationId: -1 }, [{ topic: 'in', partition, offset, leaderEpoch: -1, metadata: null }]);
    expect(code).toBe(0);
    const [marker] = await broker.markers.write({ producerId, producerEpoch: 0, commit, coordinatorEpoch: 0 }, [{ topic: OFFSETS_TOPIC, partition: 0 }]);
    expect(marker.errorCode).toBe(0);
  };
  const offsetsOf = (groupId: string) =>
    Object.fromEntries(broker.coordinator.fetchOffsets(groupId, null).topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partition}`, p.offset])));
  /** Every offset value stored for group "eos", read back from the log. */
  const storedOffsets = (): number[] => {
    const partition = broker.replicas.getPartition(OFFSETS_TOPIC, 0)!;
    const out: number[] = [];
    const { records } = partition.log.read(partition.logStartOffset, 1 << 22);
    for (let pos = 0; pos < records.length; pos += readHeader(records, pos).sizeInBytes) {
      if ((readHeader(records, pos).attributes & 0x20) !== 0) continue;
      for (const r of decodeRecords(records, pos)) {
        const key = r.key ? decodeCoordinatorKey(r.key) : null;
        if (key?.kind === 'offset' && key.key.group === 'eos' && r.value) out.push(decodeOffsetValue(r.value).offset);
      }
    }
    return out;
  };

  it('drops the aborted offsets from the log and keeps the committed ones, also after a reload', async () => {
    await txnCommit(7, 0, 10, true);
    await txnCommit(7, 0, 20, false);
    await txnCommit(8, 1, 30, true);
    // plain commits of another group push all of that into inactive segments
    for (let i = 0; i < 40; i++) expect(await broker.coordinator.commit('filler', '', -1, [{ topic: 'in', partition: i % 2, offset: i, leaderEpoch: -1, metadata: null }])).toBe(0);
    expect(offsetsOf('eos')).toEqual({ 'in-0': 10, 'in-1': 30 });
    expect(storedOffsets()).toEqual([10, 20, 30]);

    const log = broker.replicas.getPartition(OFFSETS_TOPIC, 0)!.log;
    expect((await new LogCleaner().clean(log)).recordsRemoved).toBeGreaterThan(0);
    expect(storedOffsets()).toEqual([10, 30]); // the aborted one is gone, the committed ones stay (latest per key)

    broker.close();
    broker = openBroker(dir); // the new coordinator replays the cleaned partition
    expect(offsetsOf('eos')).toEqual({ 'in-0': 10, 'in-1': 30 });
    expect(offsetsOf('filler')).toEqual({ 'in-0': 38, 'in-1': 39 });
  });
});
