import { Harness, entry as e } from './testing/scenario-harness';

describe('Raft scenarios', () => {
  it('a single voter commits its own entries once persisted', () => {
    const h = new Harness([1]);
    h.elect(1, [1]);
    const index = h.node(1).propose(new TextEncoder().encode('x'));
    h.flush();
    h.flush();
    expect(index).toBe(2); // after the leader's no-op
    expect(h.node(1).commit).toBe(2);
  });

  it('§5.4.2 / figure 8: a leader never commits an entry of an older term by counting replicas', () => {
    // state just before (c): S1 holds 2@2 (replicated to S2 only); S5 wrote 2@3 and crashed
    const h = new Harness(
      [1, 2, 3, 4, 5],
      {
        1: { hardState: { term: 2, vote: 1, commit: 1 }, entries: [e(1, 1), e(2, 2)] },
        2: { hardState: { term: 2, vote: 1, commit: 1 }, entries: [e(1, 1), e(2, 2)] },
        3: { hardState: { term: 3, vote: 5, commit: 1 }, entries: [e(1, 1)] },
        4: { hardState: { term: 3, vote: 5, commit: 1 }, entries: [e(1, 1)] },
        5: { hardState: { term: 3, vote: 5, commit: 1 }, entries: [e(1, 1), e(2, 3)] },
      },
      { maxEntriesPerAppend: 1 }, // one entry per append, so 2@2 can reach S3 before the term-4 no-op does
    );
    h.elect(1, [1, 2, 3]);
    expect(h.node(1).term).toBe(4);
    // S1's appends reach S2 and S3 (S3 gets 2@2 only), then S1 crashes before 3@4 reaches S3
    h.deliver((m) => [1, 2, 3].includes(m.from) && [1, 2, 3].includes(m.to) && !(m.type === 'append' && m.to === 3 && m.entries.some((x) => x.term === 4)), 6);
    expect(h.node(3).log.termAt(2)).toBe(2); // 2@2 is now on S1, S2, S3: a majority
    expect(h.node(1).commit).toBe(1); // ...and still not committed: it is not of S1's term
    h.queue = [];
    h.nodes.delete(1); // S1 crashes
    // S3 and S4 stop hearing from a leader for an election timeout (their own campaigns are lost)
    for (let t = 0; t < 10; t++) for (const id of [3, 4]) h.node(id).tick();
    h.flush();
    h.queue = [];
    // S5 can still win (S3 and S4 have older logs) and overwrite index 2: safe, since it was never committed
    h.elect(5, [2, 3, 4, 5]);
    h.deliver((m) => m.from !== 1 && m.to !== 1);
    for (const id of [2, 3, 4, 5]) expect(h.node(id).log.termAt(2)).toBe(3);
  });

  it('a partitioned leader steps down (check-quorum) and adopts the new leader on rejoin', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const old = h.node(1);
    // cut node 1 off: it keeps ticking alone, the others elect a new leader
    for (let t = 0; t < 30; t++) {
      old.tick();
      h.node(2).tick();
      h.node(3).tick();
      h.deliver((m) => m.from !== 1 && m.to !== 1, 3);
    }
    expect(old.role).not.toBe('leader'); // check-quorum: no majority heard for an election timeout
    const newLeader = [2, 3].map((id) => h.node(id)).find((n) => n.role === 'leader');
    expect(newLeader).toBeDefined();
    expect(old.propose(new TextEncoder().encode('lost'))).toBeNull();
    // heal: the old leader learns the new term and follows
    for (let t = 0; t < 5; t++) {
      for (const n of h.nodes.values()) n.tick();
      h.deliver();
    }
    expect(old.leaderId).toBe(newLeader?.id);
    expect(old.term).toBe(newLeader?.term);
  });

  it('a rejoining node with a longer stale log is truncated to the leader', () => {
    const h = new Harness([1, 2, 3], {
      1: { hardState: { term: 3, vote: 1, commit: 2 }, entries: [e(1, 1), e(2, 1)] },
      2: { hardState: { term: 3, vote: 1, commit: 2 }, entries: [e(1, 1), e(2, 1)] },
      // node 3 led term 2 alone and wrote entries no one else has
      3: { hardState: { term: 2, vote: 3, commit: 2 }, entries: [e(1, 1), e(2, 1), e(3, 2), e(4, 2), e(5, 2)] },
    });
    h.elect(1, [1, 2]);
    h.deliver();
    const proposed = h.node(1).propose(new TextEncoder().encode('fresh'));
    h.deliver();
    expect(h.node(3).log.lastIndex).toBe(proposed);
    for (let i = 1; i <= (proposed ?? 0); i++) expect(h.node(3).log.termAt(i)).toBe(h.node(1).log.termAt(i));
    expect(h.node(3).commit).toBe(proposed);
  });

  it('pre-vote: a node cut off for a while does not disrupt a stable leader when it returns', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const term = h.node(1).term;
    // node 3 hears nothing for many election timeouts (its pre-votes are lost), then rejoins
    for (let t = 0; t < 60; t++) {
      for (const n of h.nodes.values()) n.tick();
      h.deliver((m) => m.from !== 3 && m.to !== 3, 2);
    }
    expect(h.node(3).term).toBe(term); // pre-vote never bumped its term
    for (let t = 0; t < 5; t++) {
      for (const n of h.nodes.values()) n.tick();
      h.deliver();
    }
    expect(h.node(1).role).toBe('leader');
    expect(h.node(1).term).toBe(term);
  });
  it('a flapping member: a follower whose link drops and returns again and again neither disrupts the leader nor stalls commits', () => {
    const h = new Harness([1, 2, 3]);
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const term = h.node(1).term;
    const encoder = new TextEncoder();
    for (let flap = 0; flap < 8; flap++) {
      // cut off for a varying stretch around the election timeout (its pre-votes lost), then back for a moment
      for (let t = 0; t < 8 + flap * 3; t++) {
        for (const n of h.nodes.values()) n.tick();
        h.deliver((m) => m.from !== 3 && m.to !== 3, 2);
      }
      h.node(1).propose(encoder.encode(`while-flapping-${flap}`));
      for (let t = 0; t < 2; t++) {
        for (const n of h.nodes.values()) n.tick();
        h.deliver();
      }
    }
    h.deliver();
    expect(h.node(1).role).toBe('leader');
    expect(h.node(1).term).toBe(term);
    for (const id of [1, 2, 3]) expect(h.node(id).term).toBe(term);
    // every proposal committed (after the leader's no-op), and the flapping node caught up
    for (const id of [1, 2, 3]) expect(h.node(id).commit).toBe(h.node(1).log.lastIndex);
    expect(h.node(1).commit).toBeGreaterThanOrEqual(9);
  });
});
