import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Entry } from '../core/types';
import { RaftStorage } from './raft-storage';

const entry = (index: number, term: number): Entry => ({ index, term, data: new TextEncoder().encode(`${index}@${term}`) });

describe('RaftStorage on the log engine', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raft-storage-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('persists entries and hard state, replaces a conflicting suffix, and reloads them', async () => {
    const storage = RaftStorage.open(dir);
    await storage.save({ hardState: { term: 1, vote: 1, commit: 0 }, entries: [entry(1, 1), entry(2, 1), entry(3, 1)], messages: [], committed: [] });
    // a new leader's entries replace index 3 onwards
    await storage.save({ hardState: { term: 2, vote: 2, commit: 2 }, entries: [entry(3, 2), entry(4, 2)], messages: [], committed: [] });
    storage.close();

    const reopened = RaftStorage.open(dir);
    expect(reopened.hardState).toEqual({ term: 2, vote: 2, commit: 2 });
    expect(reopened.entries().map((e) => `${e.index}@${e.term}:${new TextDecoder().decode(e.data)}`)).toEqual(['1@1:1@1', '2@1:2@1', '3@2:3@2', '4@2:4@2']);
    reopened.close();
  });

  it('starts empty at term 0', () => {
    const storage = RaftStorage.open(dir);
    expect(storage.hardState).toEqual({ term: 0, vote: null, commit: 0 });
    expect(storage.entries()).toEqual([]);
    storage.close();
  });
});
