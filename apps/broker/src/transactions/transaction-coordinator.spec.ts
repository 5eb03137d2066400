import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogManager, encodeBatch } from '@tributary/log-engine';
import { MetadataImage } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';
import { ReplicaManager } from '../replica/replica-manager';
import { TRANSACTION_STATE_TOPIC, TransactionCoordinator } from './transaction-coordinator';
import { TxnPartition, TxnState } from './transaction-metadata';
import { LocalMarkerWriter, TxnMarker, TxnMarkerChannel } from './txn-markers';

const noController: ControllerChannel = {
  call: (async (pattern: string) => {
    throw new Error(`no controller in this test (${pattern})`);
  }) as ControllerChannel['call'],
};

/** One broker's storage: __transaction_state-0 and data-0, both led here; reopening the dir is a restart. */
function openBroker(dir: string): { replicas: ReplicaManager; image: MetadataImage; close(): void } {
  const logs = LogManager.open({ dataDir: dir });
  const replicas = new ReplicaManager(logs, { brokerId: 1 }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
  const image = new MetadataImage();
  let offset = 0;
  for (const name of [TRANSACTION_STATE_TOPIC, 'data']) {
    const topicId = randomUUID();
    image.apply({ type: 'topic', name, topicId }, ++offset);
    image.apply({ type: 'partition', topicId, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }, ++offset);
    replicas.becomeLeaderOrFollower(name, 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] }, name === TRANSACTION_STATE_TOPIC ? { cleanupPolicy: 'compact' } : {});
  }
  return {
    replicas,
    image,
    close: () => {
      replicas.shutdown();
      logs.close();
    },
  };
}

/**
 * The coordinator over real logs: decisions are stored before markers, unfinished ones are
 * resumed by the sweep, state is reloaded from __transaction_state after a restart, and a
 * transaction past its timeout is aborted with its producer fenced.
 */
describe('TransactionCoordinator', () => {
  let dir: string;
  let broker: ReturnType<typeof openBroker>;
  let now = 1_000_000;
  const clock = { nowMs: () => now };
  let nextProducerId = 500;
  /** Markers through the real local writer, unless the test makes every leader unreachable. */
  let markersFail = false;

  const coordinatorOn = (b: typeof broker) => {
    const writer = new LocalMarkerWriter(b.replicas, () => undefined, '__consumer_offsets');
    const sink = {
      write: async (marker: TxnMarker, partitions: { topic: string; partition: number }[]) => {
        if (markersFail) return partitions;
        const results = await writer.write(marker, partitions);
        return results.filter((r) => r.errorCode !== 0);
      },
    };
    return new TransactionCoordinator({ brokerId: 1, metadata: () => b.image, replicas: b.replicas, controller: noController }, { next: async () => nextProducerId++ }, sink, { stateTopicPartitions: 1 }, clock);
  };
  const produceInTxn = async (producerId: number, producerEpoch: number, baseSequence: number) =>
    (await broker.replicas.appendRecords(1, 1000, [{ topic: 'data', partition: 0, records: encodeBatch([{ value: `v${baseSequence}` }], { producerId, producerEpoch, baseSequence, transactional: true }) }]))[0];
  const data = () => broker.replicas.getPartition('data', 0)!;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-coordinator-'));
    broker = openBroker(dir);
    markersFail = false;
  });
  afterEach(() => {
    broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the commit decision before the markers; when they fail, the sweep finishes the commit later', async () => {
    const coordinator = coordinatorOn(broker);
    const { producerId, producerEpoch, error } = await coordinator.initProducerId('tx-a', 60_000);
    expect(error).toBe('NONE');
    expect(await coordinator.addPartitions('tx-a', producerId, producerEpoch, [{ topic: 'data', partition: 0 }])).toBe('NONE');
    expect((await produceInTxn(producerId, producerEpoch, 0)).errorCode).toBe(0);
    expect(data().lastStableOffset).toBe(0);

    markersFail = true;
    expect(await coordinator.endTxn('tx-a', producerId, producerEpoch, true)).toBe('NONE'); // the decision is durable
    expect(coordinator.describe('tx-a')?.state).toBe(TxnState.PrepareCommit);
    expect(data().lastStableOffset).toBe(0); // no marker yet: still unstable
    expect(await coordinator.addPartitions('tx-a', producerId, producerEpoch, [{ topic: 'data', partition: 0 }])).toBe('CONCURRENT_TRANSACTIONS');

    markersFail = false;
    await coordinator.sweep();
    expect(coordinator.describe('tx-a')).toMatchObject({ state: TxnState.CompleteCommit, partitions: [] });
    expect(data().lastStableOffset).toBe(data().logEndOffset); // the COMMIT marker is in
  }, 20_000);

  it('reloads an open transaction after a restart and aborts it past its timeout, fencing the producer', async () => {
    const first = coordinatorOn(broker);
    const { producerId, producerEpoch } = await first.initProducerId('tx-b', 30_000);
    await first.addPartitions('tx-b', producerId, producerEpoch, [{ topic: 'data', partition: 0 }]);
    await produceInTxn(producerId, producerEpoch, 0);

    broker.close();
    broker = openBroker(dir); // a restart: the coordinator and the partition come back from their logs
    const second = coordinatorOn(broker);
    expect(second.describe('tx-b')).toMatchObject({ producerId, producerEpoch, state: TxnState.Ongoing, partitions: [{ topic: 'data', partition: 0 }] });
    expect(data().lastStableOffset).toBe(0);

    await second.sweep();
    expect(second.describe('tx-b')?.state).toBe(TxnState.Ongoing); // not expired yet
    now += 30_001;
    await second.sweep();
    expect(second.describe('tx-b')).toMatchObject({ state: TxnState.CompleteAbort, producerEpoch: producerEpoch + 1 });
    expect(data().lastStableOffset).toBe(data().logEndOffset);
    const read = await broker.replicas.fetch({ replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolation: 'committed', partitions: [{ topic: 'data', partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] });
    expect(read[0].abortedTransactions).toEqual([{ producerId, firstOffset: 0, lastOffset: 1 }]);
    expect(await second.endTxn('tx-b', producerId, producerEpoch, true)).toBe('PRODUCER_FENCED');
    expect((await produceInTxn(producerId, producerEpoch, 1)).errorCode).not.toBe(0); // its late writes are refused too

    // the next producer of the id continues with a newer epoch of the same producer id
    const again = await second.initProducerId('tx-b', 30_000);
    expect(again).toEqual({ error: 'NONE', producerId, producerEpoch: producerEpoch + 2 });
  }, 20_000);

  it('forgets an id idle past transactional.id.expiration.ms, also after a reload; an id with an open transaction stays', async () => {
    const coordinator = coordinatorOn(broker);
    const idle = await coordinator.initProducerId('tx-idle', 60_000);
    const busy = await coordinator.initProducerId('tx-busy', 60_000);
    await coordinator.addPartitions('tx-busy', busy.producerId, busy.producerEpoch, [{ topic: 'data', partition: 0 }]);
    now += 7 * 24 * 3600 * 1000 + 1;
    await coordinator.sweep();
    expect(coordinator.describe('tx-idle')).toBeUndefined();
    expect(coordinatorOn(broker).describe('tx-idle')).toBeUndefined(); // the tombstone wins on reload
    // the open one timed out instead (its own timeout is shorter): aborted, not forgotten
    expect(coordinator.describe('tx-busy')).toMatchObject({ producerId: busy.producerId, state: TxnState.CompleteAbort });
    // the forgotten id starts over with a new producer id
    const again = await coordinator.initProducerId('tx-idle', 60_000);
    expect(again.producerId).not.toBe(idle.producerId);
    expect(again.producerEpoch).toBe(0);
  }, 20_000);

  it('stops sending markers once a partition leader has seen a newer coordinator, leaving the decision stored', async () => {
    const writer = new LocalMarkerWriter(broker.replicas, () => undefined, '__consumer_offsets');
    const channel = new TxnMarkerChannel(1, writer, () => broker.image, () => undefined, null);
    let rounds = 0;
    const counting = { write: (marker: TxnMarker, partitions: TxnPartition[]) => (rounds++, channel.write(marker, partitions)) };
    const coordinator = new TransactionCoordinator({ brokerId: 1, metadata: () => broker.image, replicas: broker.replicas, controller: noController }, { next: async () => nextProducerId++ }, counting, { stateTopicPartitions: 1 }, clock);
    const { producerId, producerEpoch } = await coordinator.initProducerId('tx-fenced', 60_000);
    await coordinator.addPartitions('tx-fenced', producerId, producerEpoch, [{ topic: 'data', partition: 0 }]);
    expect((await produceInTxn(producerId, producerEpoch, 0)).errorCode).toBe(0);
    // a coordinator of a newer epoch (this one's __transaction_state-0 is at epoch 0) already wrote a marker for the producer
    expect((await writer.write({ producerId, producerEpoch, commit: false, coordinatorEpoch: 3 }, [{ topic: 'data', partition: 0 }]))[0].errorCode).toBe(0);
    const logEnd = data().logEndOffset;

    expect(await coordinator.endTxn('tx-fenced', producerId, producerEpoch, true)).toBe('NONE'); // the decision is stored
    expect(rounds).toBe(1); // no retries: they cannot succeed
    expect(coordinator.describe('tx-fenced')?.state).toBe(TxnState.PrepareCommit); // the newer coordinator completes it
    expect(data().logEndOffset).toBe(logEnd); // the stale marker was not written
  });

  it('refuses timeouts above transaction.max.timeout.ms and answers NOT_COORDINATOR where it does not lead', async () => {
    const coordinator = coordinatorOn(broker);
    expect((await coordinator.initProducerId('tx-c', 900_001)).error).toBe('INVALID_TRANSACTION_TIMEOUT');
    broker.replicas.becomeLeaderOrFollower(TRANSACTION_STATE_TOPIC, 0, { leaderId: 2, leaderEpoch: 1, partitionEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    expect((await coordinator.initProducerId('tx-c', 1_000)).error).toBe('NOT_COORDINATOR');
  });
});
