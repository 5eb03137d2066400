import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager, encodeBatch, readHeader } from '@tributary/log-engine';
import { ErrorCode } from './kafka-errors';
import { IsrChangeSink, LeaderAndIsr, Partition } from './partition';
import { ReplicaManager } from './replica-manager';

class ManualClock {
  now = 1_000_000;
  nowMs(): number {
    return this.now;
  }
}

class RecordingSink implements IsrChangeSink {
  proposals: { partition: Partition; isr: number[] }[] = [];
  proposeIsr(partition: Partition, proposedIsr: number[]): void {
    this.proposals.push({ partition, isr: proposedIsr });
  }
}

const batch = (...values: string[]) => encodeBatch(values.map((value) => ({ value })));
const leader = (isr: number[], replicas = isr): LeaderAndIsr => ({ leaderId: 1, leaderEpoch: 3, partitionEpoch: 1, replicas, isr });

describe('ReplicaManager', () => {
  let dir: string;
  let logs: LogManager;
  let clock: ManualClock;
  let sink: RecordingSink;
  let manager: ReplicaManager;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replica-'));
    logs = LogManager.open({ dataDir: dir });
    clock = new ManualClock();
    sink = new RecordingSink();
    manager = new ReplicaManager(logs, { brokerId: 1, minInsyncReplicas: 2, replicaLagTimeMaxMs: 10_000 }, clock, sink);
  });
  afterEach(() => {
    manager.shutdown();
    logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const consumerFetch = (fetchOffset: number, maxWaitMs = 0, minBytes = 1) =>
    manager.fetch({ replicaId: -1, maxWaitMs, minBytes, maxBytes: 1 << 20, isolation: 'high-watermark', partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] });
  const followerFetch = (replicaId: number, fetchOffset: number) =>
    manager.fetch({ replicaId, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolation: 'high-watermark', partitions: [{ topic: 't', partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] });

  it('acks=1 on a single-replica leader: offsets assigned, HW at the end, data readable', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    const [result] = await manager.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch('a', 'b') }]);
    expect(result).toMatchObject({ errorCode: 0, baseOffset: 0, logStartOffset: 0 });
    const [fetched] = await consumerFetch(0);
    expect(fetched).toMatchObject({ errorCode: 0, highWatermark: 2 });
    expect(readHeader(fetched.records, 0)).toMatchObject({ baseOffset: 0, lastOffset: 1 });
  });

  it('answers each partition on its own: unknown partitions and corrupt batches fail alone', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    const corrupt = batch('x');
    corrupt[corrupt.length - 1] ^= 1;
    const results = await manager.appendRecords(1, 1000, [
      { topic: 't', partition: 0, records: batch('ok') },
      { topic: 'nope', partition: 0, records: batch('lost') },
      { topic: 't', partition: 0, records: corrupt },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.CORRUPT_MESSAGE]);
    expect(manager.getPartition('t', 0)?.logEndOffset).toBe(1);
  });

  it('rejects invalid acks values', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    const [result] = await manager.appendRecords(2, 1000, [{ topic: 't', partition: 0, records: batch('a') }]);
    expect(result.errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('long-polls a fetch at the log end until a produce arrives', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    const started = Date.now();
    const pending = consumerFetch(0, 5_000);
    expect(manager.purgatorySizes.fetch).toBe(1);
    await manager.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch('wake up') }]);
    const [fetched] = await pending;
    expect(fetched.records.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(manager.purgatorySizes.fetch).toBe(0);
  });

  it('answers an empty fetch after max.wait when nothing arrives', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    const [fetched] = await consumerFetch(0, 50);
    expect(fetched).toMatchObject({ errorCode: 0, highWatermark: 0 });
    expect(fetched.records.length).toBe(0);
  });

  it('acks=all waits for the ISR: the HW moves as followers fetch, consumers see only below it', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1, 2, 3]));
    let acked = false;
    const produce = manager.appendRecords(-1, 5_000, [{ topic: 't', partition: 0, records: batch('a', 'b', 'c') }]).then((r) => {
      acked = true;
      return r;
    });
    expect((await consumerFetch(0))[0].records.length).toBe(0); // HW still 0
    await followerFetch(2, 3);
    await new Promise((r) => setTimeout(r, 10));
    expect(acked).toBe(false); // follower 3 has not fetched
    const [replicated] = await followerFetch(3, 0);
    expect(replicated.records.length).toBeGreaterThan(0); // followers read past the HW
    await followerFetch(3, 3);
    const [result] = await produce;
    expect(result).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(manager.getPartition('t', 0)?.highWatermark).toBe(3);
    expect((await consumerFetch(0))[0].highWatermark).toBe(3);
  });

  it('acks=all times out with REQUEST_TIMED_OUT when followers never catch up', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1, 2]));
    const [result] = await manager.appendRecords(-1, 50, [{ topic: 't', partition: 0, records: batch('a') }]);
    expect(result.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(result.baseOffset).toBe(0); // written on the leader all the same, as in Kafka
  });

  it('refuses acks=all below min.insync.replicas without writing', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1], [1, 2]));
    const [result] = await manager.appendRecords(-1, 1000, [{ topic: 't', partition: 0, records: batch('a') }]);
    expect(result.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(manager.getPartition('t', 0)?.logEndOffset).toBe(0);
  });

  it('shrinks the ISR of a lagging follower and expands it when the follower catches up', async () => {
    const partition = manager.becomeLeaderOrFollower('t', 0, leader([1, 2, 3]));
    await manager.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch('a') }]);
    await followerFetch(2, 1);
    clock.now += 11_000;
    await followerFetch(2, 1);
    manager.maybeShrinkIsrs();
    expect(sink.proposals.map((p) => p.isr)).toEqual([[1, 2]]);
    partition.onIsrCommitted({ ...leader([1, 2], [1, 2, 3]), partitionEpoch: 2 });
    await followerFetch(3, 1); // caught up to the HW: rejoin
    expect(sink.proposals.map((p) => p.isr)).toEqual([[1, 2], [1, 2, 3]]);
  });

  it('a follower replica refuses produce and consumer fetch with NOT_LEADER_OR_FOLLOWER', async () => {
    manager.becomeLeaderOrFollower('t', 0, { ...leader([1, 2]), leaderId: 2 });
    const [produced] = await manager.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: batch('a') }]);
    expect(produced.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect((await consumerFetch(0))[0].errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('answers OFFSET_OUT_OF_RANGE for a fetch past the end', async () => {
    manager.becomeLeaderOrFollower('t', 0, leader([1]));
    expect((await consumerFetch(5))[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});
