import { RaftNode } from './raft-node';
import { Harness } from './testing/scenario-harness';
import { Message } from './types';

const propose = (node: RaftNode, data: string) => node.propose(new TextEncoder().encode(data));
const between = (ids: number[]) => (m: Message) => ids.includes(m.from) && ids.includes(m.to);

describe('Raft leader transfer (thesis §3.10)', () => {
  it('a caught-up target gets TimeoutNow, campaigns at once past the voters leases, and wins', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const term = h.node(1).term;
    expect(h.node(1).transferLeadership(2)).toEqual({ transferringTo: 2 });
    h.deliver(); // no tick: node 3 still holds a fresh lease from node 1, and votes anyway
    expect(h.node(2).role).toBe('leader');
    expect(h.node(2).term).toBe(term + 1);
    expect(h.node(1).role).toBe('follower');
    expect(h.node(1).leaderId).toBe(2);
    expect(h.sent.filter((m) => m.type === 'preVote' && m.term > term)).toEqual([]); // no pre-vote round
  });

  it('a lagging target is caught up first, and proposals are refused until the transfer is over', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    for (let i = 0; i < 5; i++) propose(h.node(1), `while-3-is-away-${i}`);
    h.deliver(between([1, 2]));
    const leader = h.node(1);
    leader.transferLeadership(3);
    expect(propose(leader, 'refused')).toBeNull();
    expect(leader.proposeMembershipChange({ type: 'remove', nodeId: 2 })).toEqual({ refused: 'transferring' });
    expect(h.queue.some((m) => m.type === 'timeoutNow')).toBe(false); // node 3 lacks entries: not yet
    h.deliver();
    expect(h.node(3).role).toBe('leader');
    expect(h.node(3).log.entryAt(6)?.data).toEqual(new TextEncoder().encode('while-3-is-away-4'));
  });

  it('a transfer that does not happen within an election timeout is abandoned, and proposals resume', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const leader = h.node(1);
    leader.transferLeadership(3);
    for (let t = 0; t < 9; t++) h.tick([1, 2]); // node 3 is unreachable
    expect(leader.leadTransferee).toBe(3);
    h.tick([1, 2]);
    expect(leader.leadTransferee).toBeNull();
    expect(leader.role).toBe('leader');
    expect(propose(leader, 'accepted-again')).not.toBeNull();
  });

  it('transfers only from a leader to another voter', () => {
    const h = new Harness([1, 2, 3], {}, { joining: [4] });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    expect(h.node(2).transferLeadership(3)).toEqual({ refused: 'notLeader' });
    expect(h.node(1).transferLeadership(1)).toEqual({ refused: 'notAVoter' });
    h.node(1).proposeMembershipChange({ type: 'addLearner', nodeId: 4 });
    h.deliver();
    expect(h.node(1).transferLeadership(4)).toEqual({ refused: 'notAVoter' });
  });

  it('a leader that removed itself hands over with TimeoutNow once the removal commits', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    h.node(1).proposeMembershipChange({ type: 'remove', nodeId: 1 });
    h.deliver(); // no ticks: only TimeoutNow can start an election this soon
    expect([2, 3].map((id) => h.node(id).role)).toContain('leader');
  });
});
