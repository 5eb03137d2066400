/** Raft's data, as plain serialisable values (a transport can msgpack them as they are). */

/** `normal`: an application command (empty for a new leader's no-op); `config`: a new membership. */
export type EntryType = 'normal' | 'config';

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: number | null;
  commit: number;
}

/** Who votes (and counts for commits) and who only receives entries. Both sorted, disjoint. */
export interface Membership {
  voters: number[];
  learners: number[];
}

/** Single-server membership changes (Raft thesis §4.1): one at a time, in effect once appended. */
export interface MembershipChange {
  type: 'addLearner' | 'promote' | 'remove';
  nodeId: number;
}

export type ProposalRefusal = 'notLeader' | 'transferring' | 'changeInProgress' | 'invalidChange' | 'notCaughtUp';

export type ProposalResult = { index: number } | { refused: ProposalRefusal };

export type TransferResult = { transferringTo: number } | { refused: 'notLeader' | 'notAVoter' };

export type ReadRefusal = 'noLeader' | 'leaderChanged' | 'timeout' | 'tooManyPendingReads';

/** A read-index request's outcome: serve it from the state machine now, or it was refused. */
export type ReadOutcome =
  | { requestId: string; status: 'ready'; index: number }
  | { requestId: string; status: 'refused'; reason: ReadRefusal; leaderId: number | null };

/** What a snapshot stands for: every entry up to `index` (whose term is `term`) applied. */
export interface SnapshotMeta {
  index: number;
  term: number;
  /** The membership in effect at `index`. */
  membership: Membership;
}

export interface Snapshot {
  meta: SnapshotMeta;
  /** The application's state, opaque to Raft. */
  data: Uint8Array;
}

export type Message =
  | {
      type: 'preVote' | 'vote';
      from: number;
      to: number;
      term: number;
      lastIndex: number;
      lastTerm: number;
      /** Asked for by the leader (leader transfer): voters set their leader lease aside. */
      transfer: boolean;
    }
  | { type: 'preVoteResp' | 'voteResp'; from: number; to: number; term: number; granted: boolean }
  | {
      type: 'append';
      from: number;
      to: number;
      term: number;
      prevIndex: number;
      prevTerm: number;
      entries: Entry[];
      commit: number;
      /** The leader's read round when sent; any answer echoing it confirms leadership for reads (§6.4). */
      round: number;
    }
  | {
      type: 'appendResp';
      from: number;
      to: number;
      term: number;
      success: boolean;
      /** success: the last index the follower now matches; failure: a hint where to retry from. */
      index: number;
      round: number;
    }
  | {
      /** One chunk of the leader's snapshot, bytes [offset, offset + chunk.length) of totalBytes. */
      type: 'snapshot';
      from: number;
      to: number;
      term: number;
      meta: SnapshotMeta;
      offset: number;
      totalBytes: number;
      chunk: Uint8Array;
    }
  | {
      /** How many bytes of snapshot `index` the follower holds so far: the next chunk to send. */
      type: 'snapshotResp';
      from: number;
      to: number;
      term: number;
      index: number;
      received: number;
    }
  | { type: 'timeoutNow'; from: number; to: number; term: number }
  /** A follower forwards a read-index request to its leader. */
  | { type: 'readIndex'; from: number; to: number; term: number; requestId: string }
  | {
      type: 'readIndexResp';
      from: number;
      to: number;
      term: number;
      requestId: string;
      /** The index the read must wait for, or null when the leader refused it. */
      index: number | null;
    };

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/**
 * What the caller must do, in this order: persist (snapshot, then entries, then hard state),
 * send the messages, restore the state machine from the snapshot, apply the committed entries,
 * answer the reads; then call advance().
 */
export interface Ready {
  hardState: HardState | null;
  /** A snapshot installed from the leader: it replaces the whole persisted log up to its index. */
  snapshot: Snapshot | null;
  /** Entries to persist, replacing any persisted entries from entries[0].index on. */
  entries: Entry[];
  messages: Message[];
  committed: Entry[];
  /** Read-index requests to answer once `committed` is applied (or to refuse). */
  reads: ReadOutcome[];
}

/** Injected randomness: [0, 1). */
export interface Rng {
  next(): number;
}

/** A small, fast, seedable PRNG (mulberry32). */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export class RaftInvariantError extends Error {}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftInvariantError(message);
}
