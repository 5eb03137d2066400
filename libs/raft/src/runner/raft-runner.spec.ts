import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Membership, Message, Snapshot, seededRng } from '../core/types';
import { RaftStorage } from '../storage/raft-storage';
import { RaftRunner, ReadIndexRefusedError } from './raft-runner';

/** Waits for `condition`, polling; fails after `timeoutMs` (a bound, not a measurement). */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An application: its state is the list of commands applied, snapshotted as JSON. */
class ListApp {
  commands: string[] = [];
  restored: Snapshot[] = [];
  memberships: Membership[] = [];

  constructor(readonly runner: RaftRunner) {
    runner.onApply(async (entry) => {
      if (entry.data.length > 0) this.commands.push(new TextDecoder().decode(entry.data));
    });
    runner.onMembershipChange((membership) => this.memberships.push(membership));
    runner.useSnapshots({
      appliedEntriesBetweenSnapshots: 5,
      take: async () => new TextEncoder().encode(JSON.stringify(this.commands)),
      restore: async (snapshot) => {
        this.restored.push(snapshot);
        this.commands = JSON.parse(new TextDecoder().decode(snapshot.data)) as string[];
      },
    });
  }
}

describe('RaftRunner with snapshots', () => {
  const voters = [1, 2, 3];
  let root: string;
  const running = new Map<number, ListApp>();
  const transport = { send: (message: Message) => running.get(message.to)?.runner.step(message) };

  function start(id: number): ListApp {
    const storage = RaftStorage.open(path.join(root, `node-${id}`));
    const runner = new RaftRunner({ id, voters, electionTick: 10, heartbeatTick: 1, rng: seededRng(id), maxEntriesPerAppend: 16, maxSnapshotChunkBytes: 64 }, storage, transport, 5);
    const app = new ListApp(runner);
    running.set(id, app);
    runner.start();
    return app;
  }

  async function leaderOf(apps: ListApp[]): Promise<ListApp> {
    await until(() => apps.some((app) => app.runner.node.role === 'leader'), 'a leader');
    return apps.find((app) => app.runner.node.role === 'leader') as ListApp;
  }

  function stop(id: number): void {
    running.get(id)?.runner.stop();
    running.delete(id);
  }

  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-runner-'))));
  afterEach(() => {
    for (const id of [...running.keys()]) stop(id);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('compacts as entries apply, installs the snapshot on a late follower, and restarts from snapshot plus log tail', async () => {
    const [one, two] = [start(1), start(2)];
    const expected = Array.from({ length: 20 }, (_, i) => `command-${i}`);
    for (const command of expected) {
      const leader = await leaderOf([one, two]);
      leader.runner.propose(new TextEncoder().encode(command));
      await until(() => leader.commands.includes(command) || leader.runner.node.role !== 'leader', `${command} to apply`);
    }
    await until(() => [one, two].every((app) => app.commands.length === expected.length), 'both to apply everything');
    expect(one.runner.node.log.snapshotIndex).toBeGreaterThanOrEqual(5);

    const three = start(3);
    await until(() => three.commands.length === expected.length, 'node 3 to catch up');
    expect(three.restored.length).toBeGreaterThan(0);
    expect(three.commands).toEqual(expected);

    stop(1);
    const restarted = start(1);
    await until(() => restarted.commands.length === expected.length, 'node 1 to recover');
    expect(restarted.restored[0].meta.index).toBeGreaterThanOrEqual(5);
    expect(restarted.commands).toEqual(expected);
  });

  it('adds a learner and promotes it; config entries go to membership listeners, not to onApply', async () => {
    const apps = voters.map(start);
    const four = start(4);
    const leader = await leaderOf(apps);
    await until(() => 'index' in leader.runner.proposeMembershipChange({ type: 'addLearner', nodeId: 4 }), 'the learner to be added');
    await until(() => four.memberships.length === 1, 'node 4 to apply its addition');
    await until(() => 'index' in leader.runner.proposeMembershipChange({ type: 'promote', nodeId: 4 }), 'the learner to be promoted');
    await until(() => apps.every((app) => app.memberships.length === 2), 'every node to apply the promotion');
    expect(apps[0].memberships).toEqual([
      { voters: [1, 2, 3], learners: [4] },
      { voters: [1, 2, 3, 4], learners: [] },
    ]);
    expect(four.commands).toEqual([]);
  });

  it('serves linearizable reads on the leader and through a follower, and hands leadership over on request', async () => {
    const apps = voters.map(start);
    const leader = await leaderOf(apps);
    const follower = apps.find((app) => app !== leader) as ListApp;
    const written = leader.runner.propose(new TextEncoder().encode('written')) as { index: number };
    await until(() => leader.commands.includes('written'), 'the write to apply on the leader');
    // resolved only once the follower itself has applied the write
    await expect(follower.runner.readIndex()).resolves.toBeGreaterThanOrEqual(written.index);
    expect(follower.commands).toContain('written');
    await expect(leader.runner.readIndex()).resolves.toBeGreaterThanOrEqual(written.index);

    expect(leader.runner.transferLeadership(follower.runner.node.id)).toEqual({ transferringTo: follower.runner.node.id });
    await until(() => follower.runner.node.role === 'leader', 'the transfer');
    await until(() => leader.runner.node.leaderId === follower.runner.node.id, 'the old leader to follow');
  });

  it('refuses a read while no leader is known', async () => {
    const lonely = start(1);
    await expect(lonely.runner.readIndex()).rejects.toEqual(new ReadIndexRefusedError('noLeader', null));
  });

  it('refuses to start over a stored snapshot the application cannot restore', async () => {
    const storage = RaftStorage.open(path.join(root, 'node-1'));
    await storage.save({ hardState: null, snapshot: { meta: { index: 3, term: 1, membership: { voters, learners: [] } }, data: new Uint8Array() }, entries: [], messages: [], committed: [], reads: [] });
    const runner = new RaftRunner({ id: 1, voters, electionTick: 10, heartbeatTick: 1, rng: seededRng(1), maxEntriesPerAppend: 16 }, storage, transport, 5);
    expect(() => runner.start()).toThrow(/useSnapshots/);
    storage.close();
  });
});
