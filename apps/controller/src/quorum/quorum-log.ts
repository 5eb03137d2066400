import { MetadataRecord } from '@tributary/protocol';

/** One committed entry of the metadata log. */
export interface LogEntry {
  offset: number;
  records: MetadataRecord[];
}

/**
 * The replicated metadata log as the controller sees it: Raft underneath (libs/raft), or any
 * other implementation of these few operations. Offsets are entry indexes; one entry holds the
 * records of one command, committed atomically.
 */
export interface QuorumLog {
  readonly nodeId: number;
  /** The current leader (the active controller), if known. */
  leaderId(): number | null;
  isLeader(): boolean;
  /** Appends one entry; resolves with its offset once committed; rejects if leadership is lost first. */
  append(records: MetadataRecord[]): Promise<number>;
  /** The highest committed offset (-1 before anything commits). */
  committedOffset(): number;
  /** Committed entries from `fromOffset`, at most `maxEntries`; empty past the commit point. */
  read(fromOffset: number, maxEntries: number): LogEntry[];
  /** The oldest offset still readable (older entries live only in snapshots). */
  startOffset(): number;
  /** Every committed entry, in order, exactly once per process (for the state machine). */
  onCommitted(listener: (entry: LogEntry) => Promise<void>): void;
  /** Notified on leadership changes (this node became or stopped being the leader). */
  onLeaderChange(listener: (leaderId: number | null) => void): void;
}
