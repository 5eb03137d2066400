import { RaftNode } from './raft-node';
import { Harness, entry as e, text } from './testing/scenario-harness';
import { Message, RaftInvariantError, Snapshot, seededRng } from './types';

const propose = (node: RaftNode, data: string) => node.propose(new TextEncoder().encode(data));
const isSnapshotTo = (to: number) => (m: Message): m is Extract<Message, { type: 'snapshot' }> => m.type === 'snapshot' && m.to === to;

describe('Raft snapshots (§7)', () => {
  it('a follower behind the leader log start catches up through InstallSnapshot in bounded chunks, then by appends', () => {
    const h = new Harness([1, 2, 3], {}, { maxSnapshotChunkBytes: 16 });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    const awayFrom3 = (m: Message) => m.to !== 3 && m.from !== 3;
    for (let i = 0; i < 10; i++) propose(h.node(1), `command-${i}`);
    h.deliver(awayFrom3);
    const snapshot = h.compact(1);
    expect(snapshot.meta.index).toBe(11);
    expect(h.node(1).log.firstIndex).toBe(12);
    propose(h.node(1), 'after-the-snapshot');
    h.deliver(awayFrom3);

    for (let t = 0; t < 10; t++) h.tick();

    expect(h.installed.get(3)?.map((s) => s.meta)).toEqual([snapshot.meta]);
    expect(text(h.installed.get(3)?.[0].data as Uint8Array)).toBe(text(snapshot.data));
    const chunks = h.sent.filter(isSnapshotTo(3));
    expect(chunks.every((m) => m.chunk.length <= 16)).toBe(true);
    expect(new Set(chunks.map((m) => m.offset)).size).toBe(Math.ceil(snapshot.data.length / 16));
    // node 3 applied the no-op before it was cut off; 2..11 came in the snapshot; then ordinary replication
    expect(h.applied.get(3)?.map((x) => `${x.index}:${text(x.data)}`)).toEqual(['1:', '12:after-the-snapshot']);
    expect(h.node(3).log.lastIndex).toBe(h.node(1).log.lastIndex);
    expect(h.disks.get(3)?.snapshot?.meta.index).toBe(11);
    expect(h.disks.get(3)?.entries.map((x) => x.index)).toEqual([12]);
  });

  it('a lost chunk is sent again on the next heartbeat', () => {
    const h = new Harness([1, 2, 3], {}, { maxSnapshotChunkBytes: 4 });
    h.elect(1, [1, 2, 3]);
    h.deliver();
    for (let i = 0; i < 3; i++) propose(h.node(1), `c${i}`);
    h.deliver((m) => m.to !== 3 && m.from !== 3);
    const snapshot = h.compact(1);
    let chunksSeen = 0;
    for (let t = 0; t < 30 && h.installed.get(3)?.length === 0; t++) {
      h.node(1).tick();
      h.deliver((m) => !(m.type === 'snapshot' && chunksSeen++ % 2 === 0), 5); // every second chunk is lost
    }
    expect(h.installed.get(3)?.map((s) => s.meta)).toEqual([snapshot.meta]);
    expect(text(h.installed.get(3)?.[0].data as Uint8Array)).toBe(text(snapshot.data));
    expect(chunksSeen).toBeGreaterThan(2 * Math.ceil(snapshot.data.length / 4) - 1);
  });

  it('a follower whose log holds the snapshot last entry only commits: its log and state machine stay', () => {
    const follower = new RaftNode({
      id: 2,
      voters: [1, 2],
      electionTick: 10,
      heartbeatTick: 1,
      rng: seededRng(2),
      maxEntriesPerAppend: 8,
      persisted: { hardState: { term: 1, vote: 1, commit: 1 }, entries: [e(1, 1), e(2, 1), e(3, 1)] },
    });
    follower.step({ type: 'snapshot', from: 1, to: 2, term: 1, meta: { index: 2, term: 1, membership: { voters: [1, 2], learners: [] } }, offset: 0, totalBytes: 1, chunk: new Uint8Array([7]) });
    const ready = follower.ready();
    expect(ready.snapshot).toBeNull();
    expect(ready.committed.map((x) => x.index)).toEqual([1, 2]);
    expect(ready.messages).toEqual([{ type: 'appendResp', from: 2, to: 1, term: 1, success: true, index: 2, round: 0 }]);
    expect(follower.log.lastIndex).toBe(3);
  });

  it('a restarted node starts from its snapshot: it applies only the entries after it', () => {
    const snapshot: Snapshot = { meta: { index: 3, term: 1, membership: { voters: [1], learners: [] } }, data: new TextEncoder().encode('state@3') };
    const h = new Harness([1], { 1: { hardState: { term: 2, vote: 1, commit: 5 }, snapshot, entries: [e(4, 2), e(5, 2)] } });
    h.flush();
    expect(h.applied.get(1)?.map((x) => x.index)).toEqual([4, 5]);
    expect(h.node(1).log.firstIndex).toBe(4);
    expect(h.node(1).log.termAt(3)).toBe(1);
    expect(h.node(1).log.termAt(2)).toBeUndefined();
  });

  it('compact takes only applied entries, checks the snapshot against the log, and ignores an older one', () => {
    const h = new Harness([1]);
    h.elect(1, [1]);
    propose(h.node(1), 'a');
    h.flush();
    h.flush();
    const node = h.node(1);
    const membership = { voters: [1], learners: [] };
    expect(() => node.compact({ meta: { index: 3, term: 1, membership }, data: new Uint8Array() })).toThrow(RaftInvariantError); // not applied
    expect(() => node.compact({ meta: { index: 2, term: 7, membership }, data: new Uint8Array() })).toThrow(RaftInvariantError); // wrong term
    expect(() => node.compact({ meta: { index: 2, term: 1, membership: { voters: [1, 2], learners: [] } }, data: new Uint8Array() })).toThrow(RaftInvariantError);
    expect(node.compact({ meta: { index: 2, term: 1, membership }, data: new Uint8Array() })).toBe(true);
    expect(node.compact({ meta: { index: 1, term: 1, membership }, data: new Uint8Array() })).toBe(false);
    expect(node.log.firstIndex).toBe(3);
  });
});
