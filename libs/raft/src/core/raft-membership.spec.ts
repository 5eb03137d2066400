import { RaftNode } from './raft-node';
import { Harness } from './testing/scenario-harness';
import { Message } from './types';

const propose = (node: RaftNode, data: string) => node.propose(new TextEncoder().encode(data));
const between = (ids: number[]) => (m: Message) => ids.includes(m.from) && ids.includes(m.to);

describe('Raft membership changes (thesis ch. 4, single-server)', () => {
  it('§4.2.1: a learner receives entries, neither campaigns nor counts for commits, and is promoted once caught up', () => {
    const h = new Harness([1, 2, 3], {}, { joining: [4] });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const leader = h.node(1);
    expect(leader.proposeMembershipChange({ type: 'addLearner', nodeId: 4 })).toEqual({ index: 2 });
    h.deliver();
    expect(h.node(4).log.lastIndex).toBe(2);
    expect(h.node(4).membership).toEqual({ voters: [1, 2, 3], learners: [4] });

    // with 2 and 3 cut off, the learner's acknowledgements do not make a majority
    const index = propose(leader, 'needs-a-voter') as number;
    h.deliver(between([1, 4]));
    expect(h.node(4).log.lastIndex).toBe(index);
    expect(leader.commit).toBeLessThan(index);
    // a learner cut off from the leader never campaigns
    for (let t = 0; t < 50; t++) h.node(4).tick();
    h.deliver(between([4]));
    expect(h.node(4).role).toBe('follower');
    expect(h.node(4).term).toBe(leader.term);

    h.deliver(between([1, 2, 3])); // commits the entry, but node 4 has not acknowledged the new commit index
    for (let i = 0; i < 3; i++) propose(leader, `more-${i}`);
    h.deliver(between([1, 2, 3]));
    expect(leader.proposeMembershipChange({ type: 'promote', nodeId: 4 })).toEqual({ refused: 'notCaughtUp' });
    h.tick();
    const promoted = leader.proposeMembershipChange({ type: 'promote', nodeId: 4 });
    expect(promoted).toEqual({ index: leader.log.lastIndex });
    h.deliver();
    expect(h.node(4).membership).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // now 4 counts: 1, 2 and 4 make a majority of four without 3
    const withFour = propose(leader, 'counted-by-4') as number;
    h.deliver(between([1, 2, 4]));
    expect(leader.commit).toBe(withFour);
  });

  it('one change at a time: a second change is refused while the first is uncommitted', () => {
    const h = new Harness([1, 2, 3], {}, { joining: [4, 5] });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const leader = h.node(1);
    expect('index' in leader.proposeMembershipChange({ type: 'addLearner', nodeId: 4 })).toBe(true);
    expect(leader.proposeMembershipChange({ type: 'addLearner', nodeId: 5 })).toEqual({ refused: 'changeInProgress' });
    h.deliver();
    expect('index' in leader.proposeMembershipChange({ type: 'addLearner', nodeId: 5 })).toBe(true);
    expect(leader.proposeMembershipChange({ type: 'addLearner', nodeId: 1 })).toEqual({ refused: 'changeInProgress' });
    h.deliver();
    expect(leader.proposeMembershipChange({ type: 'addLearner', nodeId: 1 })).toEqual({ refused: 'invalidChange' }); // already a member
    expect(leader.proposeMembershipChange({ type: 'promote', nodeId: 2 })).toEqual({ refused: 'invalidChange' }); // not a learner
    expect(h.node(2).proposeMembershipChange({ type: 'addLearner', nodeId: 6 })).toEqual({ refused: 'notLeader' });
  });

  it('a new leader changes nothing before it has committed an entry of its own term', () => {
    const h = new Harness([1, 2, 3], {}, { joining: [4] });
    h.elect(1, [1, 2, 3]);
    expect(h.node(1).commit).toBe(0); // its no-op is not acknowledged yet
    expect(h.node(1).proposeMembershipChange({ type: 'addLearner', nodeId: 4 })).toEqual({ refused: 'changeInProgress' });
  });

  it('§4.1: a config takes effect where it is appended, and is undone with the entries a new leader replaces', () => {
    const h = new Harness([1, 2, 3, 4, 5]);
    h.elect(1, [1, 2, 3, 4, 5]);
    h.deliver();
    h.node(1).proposeMembershipChange({ type: 'remove', nodeId: 5 });
    h.deliver(between([1, 2])); // only node 2 appends it
    expect(h.node(2).membership.voters).toEqual([1, 2, 3, 4]);
    expect(h.node(3).membership.voters).toEqual([1, 2, 3, 4, 5]);
    h.crash(1);
    for (let t = 0; t < 10; t++) for (const id of [3, 4, 5]) h.node(id).tick();
    h.queue = [];
    h.elect(3, [2, 3, 4, 5]); // 3, 4 and 5 are a majority of five without 2's longer log
    h.deliver();
    expect(h.node(2).log.entryAt(h.node(2).log.lastIndex)?.type).toBe('normal');
    expect(h.node(2).membership.voters).toEqual([1, 2, 3, 4, 5]);
  });

  it('removing a follower shrinks the majority and stops its replication', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const { index } = h.node(1).proposeMembershipChange({ type: 'remove', nodeId: 3 }) as { index: number };
    h.deliver();
    expect(h.node(1).commit).toBe(index);
    const sentBefore = h.sent.length;
    const next = propose(h.node(1), 'without-3') as number;
    for (let t = 0; t < 3; t++) h.tick([1, 2]);
    expect(h.node(1).commit).toBe(next);
    expect(h.sent.slice(sentBefore).filter((m) => m.to === 3)).toEqual([]);
  });

  it('§4.2.2: a leader removing itself leads until the removal commits, steps down, and the others elect a leader', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const { index } = h.node(1).proposeMembershipChange({ type: 'remove', nodeId: 1 }) as { index: number };
    expect(h.node(1).role).toBe('leader'); // it manages the cluster it is leaving until then
    h.deliver();
    expect(h.node(2).commit).toBeGreaterThanOrEqual(index);
    expect(h.node(1).role).toBe('follower');
    const sentBefore = h.sent.length;
    for (let t = 0; t < 40; t++) h.tick();
    const leader = [2, 3].map((id) => h.node(id)).find((n) => n.role === 'leader');
    expect(leader?.membership.voters).toEqual([2, 3]);
    // a removed node never campaigns
    expect(h.sent.slice(sentBefore).some((m) => m.from === 1 && (m.type === 'preVote' || m.type === 'vote'))).toBe(false);
  });

  it('a voter whose removal it alone holds, uncommitted, still campaigns so the cluster can go on', () => {
    const h = new Harness([1, 2]);
    h.elect(1, [1, 2]);
    h.deliver();
    h.node(1).proposeMembershipChange({ type: 'remove', nodeId: 1 });
    h.queue = []; // node 2 never gets it
    for (let t = 0; t < 20; t++) h.tick([1]); // check-quorum: node 1 hears nothing from the new majority ({2}) and steps down
    expect(h.node(1).role).toBe('follower');
    // node 2 cannot win: node 1's log is longer. Node 1 campaigns under {2}, commits the removal, and leaves
    for (let t = 0; t < 60; t++) h.tick();
    expect(h.node(2).role).toBe('leader');
    expect(h.node(2).membership).toEqual({ voters: [2], learners: [] });
    expect(h.node(2).commit).toBe(h.node(2).log.lastIndex);
  });
});
