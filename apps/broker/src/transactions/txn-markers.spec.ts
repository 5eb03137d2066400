import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager, encodeBatch } from '@tributary/log-engine';
import { ErrorCode } from '../replica/kafka-errors';
import { ReplicaManager } from '../replica/replica-manager';
import { LocalMarkerWriter } from './txn-markers';

const PRODUCER_ID = 42;

/**
 * Coordinator-epoch fencing of markers, as Kafka's partition leader does it: the leader
 * remembers the coordinator epoch of the last marker per producer and refuses a marker from an
 * older one (a transaction coordinator that lost __transaction_state to another broker).
 */
describe('LocalMarkerWriter: coordinator epoch fencing', () => {
  let dir: string;
  let logs: LogManager;
  let replicas: ReplicaManager;
  let writer: LocalMarkerWriter;

  const open = () => {
    logs = LogManager.open({ dataDir: dir });
    replicas = new ReplicaManager(logs, { brokerId: 1 }, { nowMs: () => Date.now() }, { proposeIsr: () => undefined });
    replicas.becomeLeaderOrFollower('data', 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] });
    writer = new LocalMarkerWriter(replicas, () => undefined, '__consumer_offsets');
  };
  const close = () => {
    replicas.shutdown();
    logs.close();
  };
  const logEnd = () => replicas.getPartition('data', 0)?.logEndOffset;
  /** One transaction's data, then its marker from a coordinator of `coordinatorEpoch`: the marker's error code. */
  const transaction = async (sequence: number, coordinatorEpoch: number, commit = true) => {
    const records = encodeBatch([{ value: `txn-${sequence}` }], { producerId: PRODUCER_ID, producerEpoch: 0, baseSequence: sequence, transactional: true });
    const [appended] = await replicas.appendRecords(1, 1000, [{ topic: 'data', partition: 0, records }]);
    expect(appended.errorCode).toBe(ErrorCode.NONE);
    return marker(coordinatorEpoch, commit);
  };
  const marker = async (coordinatorEpoch: number, commit = true) => {
    const [result] = await writer.write({ producerId: PRODUCER_ID, producerEpoch: 0, commit, coordinatorEpoch }, [{ topic: 'data', partition: 0 }]);
    return result.errorCode;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-markers-'));
    open();
  });
  afterEach(() => {
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a marker from an older coordinator epoch, and accepts the current and newer ones', async () => {
    expect(await transaction(0, 5)).toBe(ErrorCode.NONE);
    const end = logEnd();
    expect(await transaction(1, 4, false)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(logEnd()).toBe((end as number) + 1); // the data went in, the stale marker did not
    expect(await marker(5)).toBe(ErrorCode.NONE);
    expect(await transaction(2, 6)).toBe(ErrorCode.NONE);
    expect(await transaction(3, 5)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    // DescribeProducers shows the epoch the leader goes by
    expect(replicas.getPartition('data', 0)?.producers.activeProducers()).toEqual([expect.objectContaining({ producerId: PRODUCER_ID, coordinatorEpoch: 6 })]);
  });

  it('remembers the coordinator epoch across a restart, from the snapshot or from the log', async () => {
    expect(await transaction(0, 7)).toBe(ErrorCode.NONE);
    close();
    open(); // clean restart: producer state from its snapshot
    expect(await transaction(1, 6)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(await marker(7)).toBe(ErrorCode.NONE);
    fs.rmSync(path.join(dir, 'data-0', 'producer-state.snapshot'), { force: true });
    logs.close(); // crash: no snapshot, producer state rebuilt from the log's markers
    open();
    expect(await transaction(2, 6)).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(await marker(7)).toBe(ErrorCode.NONE);
  });
});
