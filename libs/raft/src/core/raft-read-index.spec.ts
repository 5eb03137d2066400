import { MAX_PENDING_READS, RaftNode } from './raft-node';
import { Harness } from './testing/scenario-harness';
import { Message } from './types';

const propose = (node: RaftNode, data: string) => node.propose(new TextEncoder().encode(data));
const between = (ids: number[]) => (m: Message) => ids.includes(m.from) && ids.includes(m.to);

describe('Raft read index (thesis §6.4)', () => {
  it('a leader answers once a heartbeat round sent after the request confirms it, at its commit index', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const index = propose(h.node(1), 'written-before-the-read') as number;
    h.deliver();
    h.node(1).readIndex('a');
    h.flush(); // the round goes out; nobody has answered it yet
    expect(h.reads.get(1)).toEqual([]);
    h.deliver(between([1, 2])); // one follower answering makes a majority
    expect(h.reads.get(1)).toEqual([{ requestId: 'a', status: 'ready', index, appliedIndex: index }]);
  });

  it('a new leader waits for an entry of its own term to commit before it fixes a read index', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    expect(h.node(1).commit).toBe(0);
    h.node(1).readIndex('early');
    h.flush();
    expect(h.reads.get(1)).toEqual([]);
    h.deliver();
    expect(h.reads.get(1)).toEqual([{ requestId: 'early', status: 'ready', index: 1, appliedIndex: 1 }]);
  });

  it('a deposed leader that cannot reach a majority never answers: it refuses once it steps down', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    for (let t = 0; t < 30; t++) {
      h.node(1).tick();
      h.node(2).tick();
      h.node(3).tick();
      h.deliver(between([2, 3]), 3);
      h.flush();
      h.queue = h.queue.filter(between([2, 3]));
      if (t === 0) h.node(1).readIndex('stale');
    }
    const newLeader = [2, 3].map((id) => h.node(id)).find((n) => n.role === 'leader') as RaftNode;
    expect(newLeader).toBeDefined();
    expect(h.reads.get(1)).toEqual([{ requestId: 'stale', status: 'refused', reason: 'leaderChanged', leaderId: null, appliedIndex: 1 }]);
  });

  it('a follower forwards the read to its leader and answers once it has applied the read index', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const index = propose(h.node(1), 'x') as number;
    h.deliver(between([1, 3])); // committed by 1 and 3; node 2 has not even received it
    h.node(2).readIndex('via-2');
    h.deliver((m) => m.type !== 'append' || m.to !== 2); // the read goes through, node 2 still lags
    expect(h.reads.get(2)).toEqual([]);
    h.tick();
    expect(h.reads.get(2)).toEqual([{ requestId: 'via-2', status: 'ready', index, appliedIndex: index }]);
  });

  it('a forwarded read the leader never answers times out after an election timeout', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    h.node(2).readIndex('lost');
    for (let t = 0; t < 10; t++) {
      h.node(2).tick();
      h.deliver((m) => m.type !== 'readIndex');
    }
    expect(h.reads.get(2)).toEqual([{ requestId: 'lost', status: 'refused', reason: 'timeout', leaderId: 1, appliedIndex: 1 }]);
  });

  it('refuses a read when no leader is known, and beyond the bound on pending reads', () => {
    const h = new Harness([1, 2, 3]);
    h.node(2).readIndex('nobody-leads');
    h.flush();
    expect(h.reads.get(2)).toEqual([{ requestId: 'nobody-leads', status: 'refused', reason: 'noLeader', leaderId: null, appliedIndex: 0 }]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    for (let i = 0; i <= MAX_PENDING_READS; i++) h.node(1).readIndex(`r${i}`);
    h.flush();
    expect(h.reads.get(1)).toEqual([{ requestId: `r${MAX_PENDING_READS}`, status: 'refused', reason: 'tooManyPendingReads', leaderId: 1, appliedIndex: 1 }]);
  });
});
