import { decodeMembership } from './membership';
import { Entry, Membership, Snapshot, invariant } from './types';

/**
 * The node's view of its log: a snapshot standing for every entry up to its index (or the empty
 * start, index 0 with term 0), then the entries after it, the part already persisted by the
 * caller and the unstable tail still to persist. It also knows the membership at every index it
 * holds: the latest config entry at or before it, else the snapshot's, else the bootstrap one.
 */
export class RaftLog {
  /** entries[i] has index snapshotIndex + 1 + i. */
  private entries: Entry[] = [];
  /** The config entries held, in index order, decoded. */
  private configs: { index: number; membership: Membership }[] = [];
  /** The latest snapshot, kept whole so a leader can send it to a follower that needs it. */
  snapshot: Snapshot | null;
  /** Entries with index <= stableIndex were handed out in a Ready and persisted. */
  stableIndex = 0;

  constructor(
    /** The cluster's membership before any config entry (every node must be given the same). */
    private readonly bootstrap: Membership,
    persisted: { snapshot: Snapshot | null; entries: Entry[] },
  ) {
    this.snapshot = persisted.snapshot;
    for (const e of persisted.entries) this.append(e);
    this.stableIndex = this.lastIndex;
  }

  /** The membership in effect at `index` (config entries take effect once appended, §4.1). */
  membershipAt(index: number): Membership {
    invariant(index >= this.snapshotIndex && index <= this.lastIndex, `membership at ${index} is unknown: the log holds ${this.snapshotIndex}..${this.lastIndex}`);
    for (let i = this.configs.length - 1; i >= 0; i--) if (this.configs[i].index <= index) return this.configs[i].membership;
    return this.snapshot?.meta.membership ?? this.bootstrap;
  }

  get membership(): Membership {
    return this.configs.at(-1)?.membership ?? this.snapshot?.meta.membership ?? this.bootstrap;
  }

  /** Index of the latest config entry held, or 0 when the membership comes from the snapshot or bootstrap. */
  get lastConfigIndex(): number {
    return this.configs.at(-1)?.index ?? 0;
  }

  get snapshotIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  private get snapshotTerm(): number {
    return this.snapshot?.meta.term ?? 0;
  }

  /** The first index still held as an entry (older ones live only in the snapshot). */
  get firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  get lastTerm(): number {
    return this.termAt(this.lastIndex) as number;
  }

  /** The term of the entry at `index`, or undefined when it is past the end or compacted away. */
  termAt(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex) return undefined;
    return this.entries[index - this.firstIndex]?.term;
  }

  entryAt(index: number): Entry | undefined {
    return index >= this.firstIndex ? this.entries[index - this.firstIndex] : undefined;
  }

  /** Entries [from, to), all of them past the snapshot. */
  slice(from: number, to: number): Entry[] {
    invariant(from >= this.firstIndex || from >= to, 'cannot slice entries compacted into the snapshot');
    return this.entries.slice(from - this.firstIndex, Math.max(0, to - this.firstIndex));
  }

  append(entry: Entry): void {
    invariant(entry.index === this.lastIndex + 1, 'appends must be contiguous');
    this.entries.push(entry);
    if (entry.type === 'config') this.configs.push({ index: entry.index, membership: decodeMembership(entry.data) });
  }

  /**
   * Follower side of AppendEntries: keeps matching entries, truncates at the first conflict and
   * appends the rest. The entries follow the snapshot (the caller answers older appends itself).
   * Returns the first index truncated, or null when nothing was.
   */
  merge(entries: Entry[]): number | null {
    let truncatedFrom: number | null = null;
    for (const entry of entries) {
      invariant(entry.index > this.snapshotIndex, 'entries covered by the snapshot are never merged');
      const existing = this.termAt(entry.index);
      if (existing === entry.term) continue;
      if (existing !== undefined) {
        this.entries.length = entry.index - this.firstIndex; // conflict: drop this and everything after
        this.stableIndex = Math.min(this.stableIndex, entry.index - 1);
        while ((this.configs.at(-1)?.index ?? 0) >= entry.index) this.configs.pop(); // the membership reverts with them
        truncatedFrom ??= entry.index;
      }
      this.append(entry);
    }
    return truncatedFrom;
  }

  /** First index of the term that holds `index` (fast conflict backtracking), not below the snapshot. */
  firstIndexOfTerm(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first > this.firstIndex && this.termAt(first - 1) === term) first--;
    return first;
  }

  unstable(): Entry[] {
    return this.entries.slice(this.stableIndex - this.snapshotIndex);
  }

  /** Is a candidate's log at least as up to date as ours (§5.4.1)? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm || (lastTerm === this.lastTerm && lastIndex >= this.lastIndex);
  }

  /** The application's snapshot replaces the (persisted, applied) prefix up to its index. */
  compact(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    invariant(index > this.snapshotIndex && index <= this.stableIndex, 'a snapshot compacts persisted entries past the current snapshot');
    invariant(this.termAt(index) === term, 'a snapshot agrees with the log at its index');
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.configs = this.configs.filter((c) => c.index > index);
    this.snapshot = snapshot;
  }

  /** A leader's snapshot replaces the whole log (installed because the log does not reach it). */
  restore(snapshot: Snapshot): void {
    invariant(snapshot.meta.index > this.snapshotIndex, 'a restored snapshot is newer than the current one');
    this.entries = [];
    this.configs = [];
    this.snapshot = snapshot;
    this.stableIndex = snapshot.meta.index;
  }
}
