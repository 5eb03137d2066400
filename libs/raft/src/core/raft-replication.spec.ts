import { Harness } from './testing/scenario-harness';
import { Message } from './types';

const command = (i: number) => new TextEncoder().encode(`command-${i}`);
const entriesSentTo = (messages: Message[], to: number) => messages.reduce((sum, m) => sum + (m.type === 'append' && m.to === to ? m.entries.length : 0), 0);

describe('Raft log replication', () => {
  it('pipelines appends: a burst of proposals reaches a follower that acknowledged once, each entry sent once', () => {
    const h = new Harness([1, 2, 3], {}, { maxEntriesPerAppend: 8 });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const before = h.sent.length;
    // every proposal is its own Ready and its own append, none answered yet
    for (let i = 0; i < 50; i++) {
      h.node(1).propose(command(i));
      h.flush();
    }
    expect(entriesSentTo(h.sent.slice(before), 2)).toBe(50);
    h.deliver();
    const leaderEnd = h.node(1).log.lastIndex;
    for (const id of [1, 2, 3]) expect(h.node(id).commit).toBe(leaderEnd);
  });

  it('resends from what the follower holds once it rejects an append after a lost one', () => {
    const h = new Harness([1, 2, 3], {}, { maxEntriesPerAppend: 8 });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    h.node(1).propose(command(1));
    h.flush();
    h.queue = h.queue.filter((m) => !(m.type === 'append' && m.to === 2)); // lost on the way to 2
    h.node(1).propose(command(2));
    h.deliver();
    expect(h.node(2).log.lastIndex).toBe(h.node(1).log.lastIndex);
    expect(h.node(2).log.termAt(h.node(2).log.lastIndex)).toBe(h.node(1).term);
  });

  it('a follower that lost the last append catches up on heartbeats when no proposal follows', () => {
    const h = new Harness([1, 2, 3], {}, { maxEntriesPerAppend: 8 });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    h.node(1).propose(command(1));
    h.flush();
    h.deliver((m) => !(m.type === 'append' && m.to === 2)); // every append to 2 lost until the next tick
    expect(h.node(1).commit).toBe(h.node(1).log.lastIndex);
    expect(h.node(2).log.lastIndex).toBeLessThan(h.node(1).log.lastIndex);
    for (let t = 0; t < 3; t++) h.tick();
    expect(h.node(2).log.lastIndex).toBe(h.node(1).log.lastIndex);
  });
});
