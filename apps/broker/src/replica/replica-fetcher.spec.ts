import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogManager, encodeBatch } from '@tributary/log-engine';
import { LeaderAndIsr, Partition } from './partition';
import { LeaderEndpoint, ReplicaFetcher } from './replica-fetcher';
import { ReplicaManager } from './replica-manager';

const clock = { nowMs: () => Date.now() };

/** A broker's data plane in-process: its own data directory, log manager and replica manager. */
function broker(brokerId: number, root: string): { logs: LogManager; replicas: ReplicaManager } {
  const logs = LogManager.open({ dataDir: path.join(root, `broker-${brokerId}`) });
  const replicas = new ReplicaManager(logs, { brokerId, minInsyncReplicas: 1 }, clock, { proposeIsr: () => undefined });
  return { logs, replicas };
}

/** The follower reaches the leader by calling its ReplicaManager (the wire comes with the codecs). */
function endpointFor(leader: ReplicaManager): LeaderEndpoint {
  return {
    fetch: (params) => leader.fetch(params),
    offsetForLeaderEpoch: async (t, p, e) => leader.offsetForLeaderEpoch(t, p, e),
    logOffsets: async (t, p) => leader.logOffsets(t, p),
  };
}

function allBytes(partition: Partition | undefined): Buffer {
  if (!partition) return Buffer.alloc(0);
  return partition.log.read(partition.logStartOffset, 1 << 24).records;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ReplicaFetcher (follower replication, in-process)', () => {
  let root: string;
  let b1: ReturnType<typeof broker>;
  let b2: ReturnType<typeof broker>;
  let fetcher: ReplicaFetcher | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fetcher-'));
    b1 = broker(1, root);
    b2 = broker(2, root);
  });
  afterEach(async () => {
    await fetcher?.stop();
    for (const b of [b1, b2]) {
      b.replicas.shutdown();
      b.logs.close();
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  const state = (leaderId: number, leaderEpoch: number): LeaderAndIsr => ({ leaderId, leaderEpoch, partitionEpoch: leaderEpoch, replicas: [1, 2], isr: [1, 2] });

  function follow(leader: ReturnType<typeof broker>, follower: Partition, followerId: number): void {
    fetcher = new ReplicaFetcher(1, endpointFor(leader.replicas), (followerId === 2 ? b2 : b1).replicas, { brokerId: followerId, maxWaitMs: 50, backoffMs: 20 });
    fetcher.addPartition(follower);
    fetcher.start();
  }

  it('replicates byte for byte and completes acks=all once the follower has the data', async () => {
    b1.replicas.becomeLeaderOrFollower('t', 0, state(1, 1));
    const follower = b2.replicas.becomeLeaderOrFollower('t', 0, state(1, 1));
    follow(b1, follower, 2);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => b1.replicas.appendRecords(-1, 5000, [{ topic: 't', partition: 0, records: encodeBatch([{ key: `k${i}`, value: `v${i}` }]) }])),
    );
    expect(results.map(([r]) => r.errorCode)).toEqual(Array(20).fill(0));
    expect(b1.replicas.getPartition('t', 0)?.highWatermark).toBe(20);
    await until(() => follower.highWatermark === 20);
    expect(allBytes(follower)).toEqual(allBytes(b1.replicas.getPartition('t', 0)));
    expect(follower.log.leaderEpochs.all()).toEqual([{ epoch: 1, startOffset: 0 }]);
  });

  it('truncates a diverged suffix from an older epoch, then copies the new leader', async () => {
    // epoch 1: broker 2 led and wrote 5 records; only the first 3 reached broker 1
    const old = b2.replicas.becomeLeaderOrFollower('t', 0, { ...state(2, 1), isr: [2] });
    await b2.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: encodeBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }]) }]);
    const b1Follower = b1.replicas.becomeLeaderOrFollower('t', 0, state(2, 1));
    b1Follower.appendAsFollower(Buffer.from(old.log.read(0, 1 << 20).records), 3);
    await b2.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: encodeBatch([{ value: 'lost-1' }, { value: 'lost-2' }]) }]);
    expect(old.logEndOffset).toBe(5);

    // epoch 2: broker 1 leads and writes different records at offsets 3..
    const leader = b1.replicas.becomeLeaderOrFollower('t', 0, state(1, 2));
    await b1.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: encodeBatch([{ value: 'new-1' }, { value: 'new-2' }, { value: 'new-3' }]) }]);
    const follower = b2.replicas.becomeLeaderOrFollower('t', 0, state(1, 2));
    follow(b1, follower, 2);
    await until(() => follower.logEndOffset === 6 && follower.highWatermark === 6);
    expect(allBytes(follower)).toEqual(allBytes(leader));
    expect(follower.log.leaderEpochs.all()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 3 },
    ]);
  });

  it('restarts at the leader log start when the follower fell behind it', async () => {
    const leader = b1.replicas.becomeLeaderOrFollower('t', 0, { ...state(1, 1), isr: [1] });
    for (let i = 0; i < 10; i++) await b1.replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records: encodeBatch([{ value: `v${i}` }]) }]);
    leader.log.advanceLogStartOffset(7);
    const follower = b2.replicas.becomeLeaderOrFollower('t', 0, { ...state(1, 1), isr: [1] });
    follow(b1, follower, 2);
    await until(() => follower.logEndOffset === 10);
    expect(follower.logStartOffset).toBe(7);
    expect(allBytes(follower)).toEqual(allBytes(leader));
  });
});
