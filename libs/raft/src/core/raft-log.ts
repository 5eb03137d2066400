import { Entry, invariant } from './types';

/**
 * The node's view of its log: entries from index 1 on (index 0 is the empty start with term 0),
 * the part already persisted by the caller and the unstable tail still to persist.
 */
export class RaftLog {
  private entries: Entry[] = [];
  /** Entries with index <= stableIndex were handed out in a Ready and persisted. */
  stableIndex = 0;

  constructor(persisted: Entry[] = []) {
    for (const e of persisted) this.entries.push(e);
    this.stableIndex = this.lastIndex;
    for (let i = 0; i < this.entries.length; i++) invariant(this.entries[i].index === i + 1, 'persisted entries must be contiguous from 1');
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.termAt(this.lastIndex);
  }

  termAt(index: number): number {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term ?? -1;
  }

  slice(from: number, to: number): Entry[] {
    return this.entries.slice(Math.max(0, from - 1), Math.max(0, to - 1));
  }

  append(entry: Entry): void {
    invariant(entry.index === this.lastIndex + 1, 'appends must be contiguous');
    this.entries.push(entry);
  }

  /**
   * Follower side of AppendEntries: keeps matching entries, truncates at the first conflict and
   * appends the rest. Returns the last index now known to match the leader.
   */
  merge(entries: Entry[]): number {
    for (const entry of entries) {
      const existing = this.termAt(entry.index);
      if (existing === entry.term) continue;
      if (existing !== -1) {
        this.entries.length = entry.index - 1; // conflict: drop this and everything after
        this.stableIndex = Math.min(this.stableIndex, entry.index - 1);
      }
      this.append(entry);
    }
    return entries.length > 0 ? entries[entries.length - 1].index : 0;
  }

  /** First index of the term that holds `index` (fast conflict backtracking). */
  firstIndexOfTerm(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first > 1 && this.termAt(first - 1) === term) first--;
    return first;
  }

  unstable(): Entry[] {
    return this.entries.slice(this.stableIndex);
  }

  /** Is a candidate's log at least as up to date as ours (§5.4.1)? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }
}
