import { Entry, RaftRunner } from '@tributary/raft';
import { MetadataRecord } from '@tributary/protocol';
import { pack, unpack } from 'msgpackr';
import { LogEntry, QuorumLog } from './quorum-log';

/** How long an append waits for its entry to commit before giving up (leader lost meanwhile). */
const APPEND_TIMEOUT_MS = 10_000;

interface Waiter {
  term: number;
  proposedAtMs: number;
  resolve: (offset: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The metadata log on Raft: one Raft entry per command (msgpack of its records; the leader's
 * no-ops carry none), offsets are Raft indexes. An append resolves when its entry is applied
 * here with the term it was proposed in; a different entry at that index means the leader lost
 * the proposal, and the append fails (the caller retries on the new leader).
 */
export class RaftQuorumLog implements QuorumLog {
  /** Committed entries after the newest snapshot: what brokers read; older ones live in the snapshot. */
  private readonly entries = new Map<number, LogEntry>();
  private readonly committedListeners: ((entry: LogEntry) => Promise<void>)[] = [];
  private readonly waiters = new Map<number, Waiter>();
  /**
   * The newest entry handed to listeners. The runner counts an entry as applied only after every
   * listener returns, but a listener that wakes long-polling readers needs the entry readable
   * already, or those readers sleep until their timeout.
   */
  private delivered = 0;

  constructor(
    readonly nodeId: number,
    private readonly runner: RaftRunner,
    /** Told how long each of this node's appends took to commit and apply (a metric). */
    private readonly onAppendCommitted: (latencyMs: number) => void = () => undefined,
  ) {
    runner.onApply(async (entry: Entry) => {
      const logEntry: LogEntry = { offset: entry.index, records: entry.data.length > 0 ? (unpack(entry.data) as MetadataRecord[]) : [] };
      this.entries.set(entry.index, logEntry);
      this.delivered = entry.index;
      this.forgetSnapshotted();
      for (const listener of this.committedListeners) await listener(logEntry);
      const waiter = this.waiters.get(entry.index);
      if (waiter) {
        this.waiters.delete(entry.index);
        clearTimeout(waiter.timer);
        if (waiter.term === entry.term) {
          this.onAppendCommitted(performance.now() - waiter.proposedAtMs);
          waiter.resolve(entry.index);
        }
        else waiter.reject(new Error('the proposal was replaced after a leader change; retry'));
      }
    });
  }

  leaderId(): number | null {
    return this.runner.node.leaderId;
  }

  isLeader(): boolean {
    return this.runner.node.role === 'leader';
  }

  append(records: MetadataRecord[]): Promise<number> {
    const proposedAtMs = performance.now();
    const proposal = this.runner.propose(pack(records));
    if (proposal === null) return Promise.reject(new Error(`controller ${this.nodeId} is not the leader`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(proposal.index);
        reject(new Error(`entry ${proposal.index} did not commit within ${APPEND_TIMEOUT_MS} ms`));
      }, APPEND_TIMEOUT_MS);
      this.waiters.set(proposal.index, { term: proposal.term, proposedAtMs, resolve, reject, timer });
    });
  }

  committedOffset(): number {
    return Math.max(this.runner.applied, this.delivered);
  }

  read(fromOffset: number, maxEntries: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (let index = Math.max(this.startOffset(), fromOffset); index <= this.committedOffset() && out.length < maxEntries; index++) {
      const entry = this.entries.get(index);
      if (entry) out.push(entry);
    }
    return out;
  }

  /** Entries up to the newest snapshot are gone from the Raft log: a reader behind gets the image instead. */
  startOffset(): number {
    const snapshotIndex = this.runner.node.log.snapshotIndex;
    return snapshotIndex === 0 ? 0 : snapshotIndex + 1;
  }

  /** A snapshot replaced the state machine (installed from the leader, or found at start). */
  snapshotRestored(index: number): void {
    this.delivered = Math.max(this.delivered, index);
    this.forgetSnapshotted();
  }

  private forgetSnapshotted(): void {
    const start = this.startOffset();
    for (const index of this.entries.keys()) {
      if (index >= start) break; // a Map iterates in insertion order, which is offset order
      this.entries.delete(index);
    }
  }

  onCommitted(listener: (entry: LogEntry) => Promise<void>): void {
    this.committedListeners.push(listener);
  }

  onLeaderChange(listener: (leaderId: number | null) => void): void {
    this.runner.onLeaderChange(listener);
  }
}
