import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager, encodeBatch } from '@tributary/log-engine';
import { ControlRecordType, encodeEndTxnMarker } from '@tributary/protocol';
import { ErrorCode } from './kafka-errors';
import { ReplicaManager } from './replica-manager';

const clock = { nowMs: () => Date.now() };
const txnBatch = (producerId: number, baseSequence: number, values: string[]) =>
  encodeBatch(values.map((value) => ({ value })), { producerId, producerEpoch: 0, baseSequence, transactional: true });
const plainBatch = (values: string[]) => encodeBatch(values.map((value) => ({ value })));
const marker = (producerId: number, type: ControlRecordType, producerEpoch = 0) => encodeEndTxnMarker(type, { producerId, producerEpoch, coordinatorEpoch: 0 });

/** A partition's transactions through the replica manager: LSO, read_committed fetches, markers, restarts. */
describe('read_committed on a partition', () => {
  let dir: string;
  let logs: LogManager;
  let replicas: ReplicaManager;

  const open = () => {
    logs = LogManager.open({ dataDir: dir });
    replicas = new ReplicaManager(logs, { brokerId: 1 }, clock, { proposeIsr: () => undefined });
    replicas.becomeLeaderOrFollower('t', 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] });
  };
  const produce = async (records: Buffer) => (await replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records }]))[0];
  const writeMarker = async (records: Buffer) => (await replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records }], 'coordinator'))[0];
  const fetch = async (isolation: 'committed' | 'high-watermark', fetchOffset = 0, maxBytes = 1 << 20) =>
    (await replicas.fetch({ replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolation, partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: maxBytes }] }))[0];
  const partition = () => replicas.getPartition('t', 0)!;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-committed-'));
    open();
  });
  afterEach(() => {
    replicas.shutdown();
    logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops read_committed at an open transaction and moves on once it commits', async () => {
    await produce(plainBatch(['a', 'b'])); // 0-1
    await produce(txnBatch(7, 0, ['t1', 't2'])); // 2-3, open
    await produce(plainBatch(['c'])); // 4
    expect(partition().lastStableOffset).toBe(2);
    const before = await fetch('committed');
    expect(before.lastStableOffset).toBe(2);
    expect(before.highWatermark).toBe(5);
    expect(before.records.length).toBeGreaterThan(0);
    expect((await fetch('committed', 2)).records.length).toBe(0); // nothing stable past the open transaction
    expect((await fetch('high-watermark', 2)).records.length).toBeGreaterThan(0); // read_uncommitted sees it

    expect((await writeMarker(marker(7, ControlRecordType.Commit))).errorCode).toBe(0); // 5
    expect(partition().lastStableOffset).toBe(6);
    const after = await fetch('committed', 2);
    expect(after.lastStableOffset).toBe(6);
    expect(after.abortedTransactions).toEqual([]);
    expect(after.records.length).toBeGreaterThan(0);
  });

  it('lists an aborted transaction for read_committed fetches, and keeps the index across a restart with and without a snapshot', async () => {
    await produce(txnBatch(7, 0, ['x1', 'x2', 'x3'])); // 0-2
    await writeMarker(marker(7, ControlRecordType.Abort)); // 3
    await produce(plainBatch(['after'])); // 4
    const read = await fetch('committed');
    expect(read.abortedTransactions).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3 }]);
    expect(read.lastStableOffset).toBe(5);
    expect((await fetch('high-watermark')).abortedTransactions).toBeNull();

    // clean restart: the snapshot written at shutdown carries the index
    replicas.shutdown();
    logs.close();
    open();
    expect((await fetch('committed')).abortedTransactions).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3 }]);

    // no snapshot at all (as after a crash before the first one): rebuilt from the batch headers and the marker
    replicas.shutdown();
    logs.close();
    fs.rmSync(path.join(dir, 't-0', 'producer-state.snapshot'));
    open();
    await produce(txnBatch(8, 0, ['y'])); // 5, open: only the replay can know 0-2 were aborted
    const rebuilt = await fetch('committed');
    expect(rebuilt.abortedTransactions).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3 }]);
    expect(rebuilt.lastStableOffset).toBe(5);
  });

  it('lists only the aborted transactions begun within what a fetch returns', async () => {
    await produce(plainBatch(['a', 'b'])); // 0-1
    await produce(txnBatch(7, 0, ['x1'])); // 2
    await writeMarker(marker(7, ControlRecordType.Abort)); // 3
    const firstBatchOnly = await fetch('committed', 0, 1); // one batch: offsets 0-1
    expect(firstBatchOnly.records.length).toBeGreaterThan(0);
    expect(firstBatchOnly.abortedTransactions).toEqual([]);
    expect((await fetch('committed', 2, 1)).abortedTransactions).toEqual([{ producerId: 7, firstOffset: 2, lastOffset: 3 }]);
    expect((await fetch('committed', 0)).abortedTransactions).toEqual([{ producerId: 7, firstOffset: 2, lastOffset: 3 }]);
  });

  it('rebuilds an open transaction after a restart, so the LSO stays behind it', async () => {
    await produce(txnBatch(9, 0, ['open']));
    replicas.shutdown();
    logs.close();
    fs.rmSync(path.join(dir, 't-0', 'producer-state.snapshot'));
    open();
    expect(partition().lastStableOffset).toBe(0);
    await writeMarker(marker(9, ControlRecordType.Abort));
    expect(partition().lastStableOffset).toBe(2);
  });

  it('refuses control batches from clients, and markers with a fenced epoch', async () => {
    expect((await produce(marker(7, ControlRecordType.Commit))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    await produce(txnBatch(7, 0, ['a']));
    await writeMarker(marker(7, ControlRecordType.Abort, 3)); // the coordinator fenced the producer: epoch 3
    expect((await writeMarker(marker(7, ControlRecordType.Commit, 0))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await produce(txnBatch(7, 1, ['late']))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });
});
