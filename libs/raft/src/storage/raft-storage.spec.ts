import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Entry, Ready, Snapshot } from '../core/types';
import { RaftStorage } from './raft-storage';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`${index}@${term}`) });
const ready = (fields: Partial<Ready>): Ready => ({ hardState: null, snapshot: null, entries: [], messages: [], committed: [], reads: [], ...fields });
const snapshotAt = (index: number, term: number): Snapshot => ({ meta: { index, term, membership: { voters: [1, 2, 3], learners: [] } }, data: new TextEncoder().encode(`state@${index}`) });
const indexes = (storage: RaftStorage) => storage.entries().map((e) => `${e.index}@${e.term}`);

describe('RaftStorage on the log engine', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-storage-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('persists entries and hard state, replaces a conflicting suffix, and reloads them', async () => {
    const storage = RaftStorage.open(dir);
    await storage.save({ hardState: { term: 1, vote: 1, commit: 0 }, entries: [entry(1, 1), entry(2, 1), entry(3, 1)], snapshot: null, messages: [], committed: [], reads: [] });
    // a new leader's entries replace index 3 onwards
    await storage.save({ hardState: { term: 2, vote: 2, commit: 2 }, entries: [entry(3, 2), entry(4, 2)], snapshot: null, messages: [], committed: [], reads: [] });
    storage.close();

    const reopened = RaftStorage.open(dir);
    expect(reopened.hardState).toEqual({ term: 2, vote: 2, commit: 2 });
    expect(reopened.entries().map((e) => `${e.index}@${e.term}:${new TextDecoder().decode(e.data)}`)).toEqual(['1@1:1@1', '2@1:2@1', '3@2:3@2', '4@2:4@2']);
    reopened.close();
  });

  it('has term and vote on disk when save returns, even if the process dies; the commit index is kept by a clean stop', async () => {
    const storage = RaftStorage.open(dir);
    await storage.save(ready({ hardState: { term: 3, vote: 2, commit: 0 }, entries: [entry(1, 3), entry(2, 3)] }));
    await storage.save(ready({ hardState: { term: 3, vote: 2, commit: 2 } })); // commit-only: no fsync of its own
    // the process dies here (no close): what a restart finds
    const afterCrash = RaftStorage.open(dir);
    expect({ term: afterCrash.hardState.term, vote: afterCrash.hardState.vote }).toEqual({ term: 3, vote: 2 });
    expect(afterCrash.hardState.commit).toBeLessThanOrEqual(2); // relearned from the leader
    expect(indexes(afterCrash)).toEqual(['1@3', '2@3']);
    afterCrash.close();
    storage.close();
    const afterStop = RaftStorage.open(dir);
    expect(afterStop.hardState).toEqual({ term: 3, vote: 2, commit: 2 });
    afterStop.close();
  });

  it('keeps config entries apart from normal ones', async () => {
    const storage = RaftStorage.open(dir);
    const config: Entry = { index: 2, term: 1, type: 'config', data: new TextEncoder().encode('{"voters":[1],"learners":[2]}') };
    await storage.save(ready({ entries: [entry(1, 1), config, entry(3, 1)] }));
    storage.close();
    const reopened = RaftStorage.open(dir);
    expect(reopened.entries()).toEqual([entry(1, 1), config, entry(3, 1)]);
    reopened.close();
  });

  it('starts empty at term 0', () => {
    const storage = RaftStorage.open(dir);
    expect(storage.hardState).toEqual({ term: 0, vote: null, commit: 0 });
    expect(storage.entries()).toEqual([]);
    expect(storage.snapshot).toBeNull();
    storage.close();
  });

  it("keeps the application's snapshot and drops the log prefix it covers, across a restart", async () => {
    const storage = RaftStorage.open(dir);
    await storage.save(ready({ entries: [1, 2, 3, 4, 5].map((i) => entry(i, 1)) }));
    storage.saveSnapshot(snapshotAt(3, 1));
    expect(indexes(storage)).toEqual(['4@1', '5@1']);
    storage.saveSnapshot(snapshotAt(2, 1)); // older than the one kept: ignored
    storage.close();

    const reopened = RaftStorage.open(dir);
    expect(reopened.snapshot?.meta).toEqual(snapshotAt(3, 1).meta);
    expect(new TextDecoder().decode(reopened.snapshot?.data)).toBe('state@3');
    expect(indexes(reopened)).toEqual(['4@1', '5@1']);
    reopened.close();
  });

  it("replaces the whole log with a leader's installed snapshot, then appends after it", async () => {
    const storage = RaftStorage.open(dir);
    await storage.save(ready({ entries: [1, 2, 3].map((i) => entry(i, 1)) }));
    await storage.save(ready({ snapshot: snapshotAt(10, 4), entries: [entry(11, 4)], hardState: { term: 4, vote: null, commit: 10 } }));
    storage.close();

    const reopened = RaftStorage.open(dir);
    expect(reopened.snapshot?.meta.index).toBe(10);
    expect(indexes(reopened)).toEqual(['11@4']);
    expect(reopened.hardState.commit).toBe(10);
    reopened.close();
  });

  describe('after a crash between writing a snapshot and trimming the log', () => {
    /** Leaves `dir` as a crash would: the snapshot file replaced, the log not yet trimmed. */
    async function crashAfterSnapshotFile(snapshot: Snapshot, logTerms: number[]): Promise<void> {
      const storage = RaftStorage.open(dir);
      await storage.save(ready({ entries: logTerms.map((term, i) => entry(i + 1, term)) }));
      storage.close();
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-storage-'));
      const writer = RaftStorage.open(other);
      await writer.save(ready({ snapshot }));
      writer.close();
      fs.copyFileSync(path.join(other, 'raft-snapshot'), path.join(dir, 'raft-snapshot'));
      fs.rmSync(other, { recursive: true, force: true });
    }

    it('keeps the entries after the snapshot when the log agrees with it', async () => {
      await crashAfterSnapshotFile(snapshotAt(3, 1), [1, 1, 1, 1, 1]);
      const storage = RaftStorage.open(dir);
      expect(indexes(storage)).toEqual(['4@1', '5@1']);
      storage.close();
    });

    it('drops the whole log when it disagrees with the snapshot last entry', async () => {
      await crashAfterSnapshotFile(snapshotAt(3, 2), [1, 1, 1, 1, 1]);
      const storage = RaftStorage.open(dir);
      expect(indexes(storage)).toEqual([]);
      await storage.save(ready({ entries: [entry(4, 2)] }));
      expect(indexes(storage)).toEqual(['4@2']);
      storage.close();
    });
  });
});
