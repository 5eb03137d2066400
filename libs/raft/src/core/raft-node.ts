import { applyChange, encodeMembership, isVoter, members, membership, quorum, sameMembership } from './membership';
import { RaftLog } from './raft-log';
import { Entry, HardState, Membership, MembershipChange, Message, ProposalResult, ReadOutcome, ReadRefusal, Ready, Rng, Role, Snapshot, TransferResult, invariant } from './types';

/** Snapshot chunk size when the caller sets none: bounded messages, few round trips. */
const DEFAULT_SNAPSHOT_CHUNK_BYTES = 256 * 1024;
/** Most read-index requests waiting on one node (for a round, its commit, or forwarded); more are refused. */
export const MAX_PENDING_READS = 4096;

export interface RaftNodeConfig {
  id: number;
  /**
   * The cluster's voters before any membership change, the same on every node (a node joining
   * later is given them too, and learns the current membership from the leader).
   */
  voters: number[];
  /** Learners before any membership change. */
  learners?: number[];
  /** Ticks without a leader before a follower campaigns (randomised in [electionTick, 2*electionTick)). */
  electionTick: number;
  /** Ticks between a leader's heartbeats. */
  heartbeatTick: number;
  rng: Rng;
  /** Most entries in one append message (bounded message size). */
  maxEntriesPerAppend: number;
  /** Most snapshot bytes in one message. */
  maxSnapshotChunkBytes?: number;
  /** What the caller persisted before a restart: the latest snapshot and the entries after it. */
  persisted?: { hardState: HardState; entries: Entry[]; snapshot?: Snapshot | null };
}

interface Progress {
  match: number;
  next: number;
  recentActive: boolean;
  /** Set while the follower needs the leader's snapshot: which one, and the next byte to send. */
  snapshot: { index: number; offset: number } | null;
  /** The highest read round the follower answered in this term. */
  roundAcked: number;
  /**
   * Set once the follower accepted an append: entries sent are then counted as sent (next moves
   * past them), so each append carries only new entries (etcd's replicate state). A rejection
   * clears it, and appends go back to starting at what the follower is known to hold.
   */
  pipelined: boolean;
}

/** A read waiting on the leader: `from` is this node or the follower that forwarded it. */
interface LeaderRead {
  requestId: string;
  from: number;
  /** The commit index when the read arrived: what it must observe. */
  index: number;
  /** Answers to this round (or a later one) from a majority confirm the leadership it relied on. */
  round: number;
}

/** A snapshot arriving in chunks, kept until it is whole. */
interface IncomingSnapshot {
  term: number;
  index: number;
  chunks: Uint8Array[];
  received: number;
}

/**
 * Raft as a pure state machine (after etcd-raft): time enters only through tick(), messages
 * through step(), commands through propose(); everything to do comes out of ready(), which the
 * caller handles in order (persist, send, apply) before advance(). Pre-vote and check-quorum
 * keep a partitioned or flapping node from disrupting a healthy leader; a leader commits only
 * entries of its own term by counting (Raft §5.4.2) and appends a no-op when elected. The
 * membership is the latest config entry in the log, committed or not (thesis §4.1): voters
 * elect and count for commits, learners only receive entries. Linearizable reads go through the
 * leader's read index (thesis §6.4); leadership moves on request with TimeoutNow (§3.10).
 */
export class RaftNode {
  role: Role = 'follower';
  term = 0;
  vote: number | null = null;
  leaderId: number | null = null;
  commit = 0;
  readonly log: RaftLog;
  private applied = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<number, boolean>();
  private readonly progress = new Map<number, Progress>();
  private outbox: Message[] = [];
  private lastHardState: HardState;
  /** A leader's snapshot installed here, to hand to the caller in the next Ready. */
  private snapshotToApply: Snapshot | null = null;
  private incomingSnapshot: IncomingSnapshot | null = null;
  /** The voter this leader is handing leadership to, and for how many ticks it has tried. */
  private transferee: number | null = null;
  private transferElapsed = 0;
  /** Leader: the current read round (sent in every append) and whether a new one must go out. */
  private readRound = 0;
  private readRoundDue = false;
  /** Leader: reads waiting for a majority to answer their round. */
  private readsAwaitingRound: LeaderRead[] = [];
  /** Leader: reads that arrived before an entry of this term committed (the commit index may lag until then). */
  private readsAwaitingTermCommit: Omit<LeaderRead, 'index' | 'round'>[] = [];
  /** Follower: reads forwarded to the leader, and how many ticks each has waited. */
  private readonly readsForwarded = new Map<string, number>();
  /** Confirmed reads waiting for the state machine to reach their index. */
  private readsAwaitingApply: { requestId: string; index: number }[] = [];
  private readsRefused: ReadOutcome[] = [];

  constructor(private readonly config: RaftNodeConfig) {
    const persisted = config.persisted;
    this.log = new RaftLog(membership(config.voters, config.learners), { snapshot: persisted?.snapshot ?? null, entries: persisted?.entries ?? [] });
    // the state machine starts from the snapshot; the caller restores it before applying entries
    this.applied = this.log.snapshotIndex;
    this.commit = this.log.snapshotIndex;
    if (persisted) {
      this.term = persisted.hardState.term;
      this.vote = persisted.hardState.vote;
      this.commit = Math.max(this.commit, Math.min(persisted.hardState.commit, this.log.lastIndex));
    }
    this.lastHardState = this.hardState();
    this.resetElectionTimeout();
  }

  get id(): number {
    return this.config.id;
  }

  /** The membership in effect now: the latest in the log, committed or not. */
  get membership(): Membership {
    return this.log.membership;
  }

  /** The membership in effect at `index` (what a snapshot taken there must record). */
  membershipAt(index: number): Membership {
    return this.log.membershipAt(index);
  }

  /** The voter this leader is handing leadership to, if any. */
  get leadTransferee(): number | null {
    return this.transferee;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.commit };
  }

  tick(): void {
    this.expireForwardedReads();
    if (this.role === 'leader') {
      this.heartbeatElapsed++;
      this.electionElapsed++;
      // a transfer that did not happen within an election timeout is abandoned: proposals resume
      if (this.transferee !== null && ++this.transferElapsed >= this.config.electionTick) this.transferee = null;
      if (this.electionElapsed >= this.config.electionTick) {
        this.electionElapsed = 0;
        // check-quorum: a leader that cannot hear from a majority of voters steps down
        let active = isVoter(this.membership, this.id) ? 1 : 0;
        for (const [id, p] of this.progress) {
          if (p.recentActive && isVoter(this.membership, id)) active++;
          p.recentActive = false;
        }
        if (active < quorum(this.membership)) {
          this.becomeFollower(this.term, null);
          return;
        }
      }
      if (this.heartbeatElapsed >= this.config.heartbeatTick) {
        this.heartbeatElapsed = 0;
        this.broadcastAppend({ heartbeat: true });
      }
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout && this.promotable()) {
      this.electionElapsed = 0;
      this.campaign('preCandidate');
    }
  }

  /** Appends a command; returns its index, or null when this node does not lead or is handing leadership over. */
  propose(data: Uint8Array): number | null {
    if (this.role !== 'leader' || this.transferee !== null) return null;
    return this.appendAsLeader('normal', data);
  }

  /**
   * Appends a single-server membership change (leader only), in effect at once on every node
   * that appends it. Refused while another change is uncommitted or before this leader has
   * committed an entry of its term (both keep the majorities of successive configs
   * overlapping), and for a learner that does not yet hold every committed entry.
   */
  proposeMembershipChange(change: MembershipChange): ProposalResult {
    if (this.role !== 'leader') return { refused: 'notLeader' };
    if (this.transferee !== null) return { refused: 'transferring' };
    if (this.log.lastConfigIndex > this.commit || this.log.termAt(this.commit) !== this.term) return { refused: 'changeInProgress' };
    const next = applyChange(this.membership, change);
    if (!next) return { refused: 'invalidChange' };
    if (change.type === 'promote' && (this.progress.get(change.nodeId)?.match ?? 0) < this.commit) return { refused: 'notCaughtUp' };
    return { index: this.appendAsLeader('config', encodeMembership(next)) };
  }

  /**
   * Hands leadership to voter `to` (thesis §3.10): proposals are refused meanwhile; once `to`
   * holds the whole log it gets TimeoutNow and campaigns at once. Abandoned after an election
   * timeout.
   */
  transferLeadership(to: number): TransferResult {
    if (this.role !== 'leader') return { refused: 'notLeader' };
    if (to === this.id || !isVoter(this.membership, to)) return { refused: 'notAVoter' };
    this.transferee = to;
    this.transferElapsed = 0;
    if (this.progress.get(to)?.match === this.log.lastIndex) this.sendTimeoutNow(to);
    else this.sendAppend(to);
    return { transferringTo: to };
  }

  /**
   * Asks for a linearizable read (thesis §6.4): the outcome comes out of ready() as `ready` with
   * the index the state machine has then reached, once a majority confirmed this leadership
   * after the request arrived; a follower forwards the request to its leader. Reads waiting on
   * a leader that loses its leadership are refused, forwarded reads time out after an election
   * timeout.
   */
  readIndex(requestId: string): void {
    if (this.pendingReads() >= MAX_PENDING_READS) {
      this.refuseRead(requestId, 'tooManyPendingReads');
    } else if (this.role === 'leader') {
      this.leaderRead({ requestId, from: this.id });
    } else if (this.leaderId !== null) {
      this.readsForwarded.set(requestId, 0);
      this.send({ type: 'readIndex', from: this.id, to: this.leaderId, term: this.term, requestId });
    } else {
      this.refuseRead(requestId, 'noLeader');
    }
  }

  /**
   * The application's snapshot of its state machine up to `snapshot.meta.index` (already applied
   * and persisted by the caller): the log prefix it covers is dropped. Returns false, changing
   * nothing, when the log already starts past it (a newer snapshot arrived meanwhile).
   */
  compact(snapshot: Snapshot): boolean {
    const { index, term, membership: recorded } = snapshot.meta;
    if (index <= this.log.snapshotIndex) return false;
    invariant(index <= this.applied, 'only applied entries are compacted');
    invariant(this.log.termAt(index) === term, `snapshot term ${term} disagrees with the log at ${index}`);
    invariant(sameMembership(recorded, this.membershipAt(index)), 'a snapshot records the membership at its index');
    this.log.compact(snapshot);
    return true;
  }

  step(m: Message): void {
    invariant(m.to === this.id, 'message delivered to the wrong node');
    if (m.term > this.term) {
      if (m.type === 'preVote') {
        // a pre-vote never changes terms
      } else if (m.type === 'preVoteResp' && m.granted) {
        // grants carry the term we would campaign for
      } else if (m.type === 'vote' && !m.transfer && this.inLease()) {
        return; // we heard from a live leader recently: ignore a disruptive candidate
      } else {
        this.becomeFollower(m.term, m.type === 'append' || m.type === 'snapshot' || m.type === 'timeoutNow' ? m.from : null);
      }
    } else if (m.term < this.term) {
      if (m.type === 'append') this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: false, index: 0, round: m.round });
      if (m.type === 'preVote') this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: this.term, granted: false });
      return;
    }
    switch (m.type) {
      case 'preVote': {
        const granted = m.term > this.term && this.log.isUpToDate(m.lastIndex, m.lastTerm) && !this.inLease();
        this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: granted ? m.term : this.term, granted });
        return;
      }
      case 'vote': {
        const granted = (this.vote === null || this.vote === m.from) && this.log.isUpToDate(m.lastIndex, m.lastTerm);
        if (granted) {
          this.vote = m.from;
          this.electionElapsed = 0;
        }
        this.send({ type: 'voteResp', from: this.id, to: m.from, term: this.term, granted });
        return;
      }
      case 'preVoteResp':
      case 'voteResp': {
        const expected = m.type === 'preVoteResp' ? 'preCandidate' : 'candidate';
        if (this.role !== expected) return;
        this.votes.set(m.from, m.granted);
        this.tallyVotes();
        return;
      }
      case 'append': {
        if (this.role !== 'follower' || this.leaderId !== m.from) this.becomeFollower(this.term, m.from);
        this.electionElapsed = 0;
        this.handleAppend(m);
        return;
      }
      case 'snapshot': {
        if (this.role !== 'follower' || this.leaderId !== m.from) this.becomeFollower(this.term, m.from);
        this.electionElapsed = 0;
        this.handleSnapshotChunk(m);
        return;
      }
      case 'snapshotResp': {
        if (this.role !== 'leader') return;
        const p = this.progress.get(m.from);
        if (!p) return;
        p.recentActive = true;
        if (p.snapshot?.index !== m.index) return; // an answer about a snapshot no longer being sent
        // the follower answers this way only while it misses bytes (a whole one gets an appendResp)
        p.snapshot.offset = m.received;
        this.sendAppend(m.from);
        return;
      }
      case 'appendResp': {
        if (this.role !== 'leader') return;
        const p = this.progress.get(m.from);
        if (!p) return;
        p.recentActive = true;
        if (m.round > p.roundAcked) {
          // any answer in this term shows the follower still follows us: reads may be confirmed
          p.roundAcked = m.round;
          this.confirmReads();
        }
        if (m.success) {
          p.pipelined = true;
          if (m.index > p.match) {
            p.match = m.index;
            p.next = Math.max(p.next, m.index + 1);
            if (p.snapshot && p.match >= p.snapshot.index) p.snapshot = null;
            this.commitAndBroadcast();
          }
          if (this.role !== 'leader') return;
          if (!p.snapshot && p.next <= this.log.lastIndex) this.sendAppend(m.from);
          else if (m.from === this.transferee && p.match === this.log.lastIndex) this.sendTimeoutNow(m.from);
        } else if (!p.snapshot) {
          // back off using the follower's hint (first index of its conflicting term, or its end)
          p.pipelined = false;
          p.next = Math.max(1, Math.min(p.next - 1, m.index > 0 ? m.index : p.next - 1));
          p.next = Math.max(p.next, p.match + 1);
          this.sendAppend(m.from);
        }
        return;
      }
      case 'timeoutNow': {
        // the leader hands over: campaign at once, past pre-vote and the voters' leases
        if (this.role === 'follower' && this.promotable()) this.campaign('candidate', { transfer: true });
        return;
      }
      case 'readIndex': {
        if (this.role === 'leader' && this.pendingReads() < MAX_PENDING_READS) this.leaderRead({ requestId: m.requestId, from: m.from });
        else this.send({ type: 'readIndexResp', from: this.id, to: m.from, term: this.term, requestId: m.requestId, index: null });
        return;
      }
      case 'readIndexResp': {
        if (!this.readsForwarded.delete(m.requestId)) return; // timed out meanwhile, or a duplicate
        if (m.index === null) this.refuseRead(m.requestId, 'leaderChanged');
        else this.readsAwaitingApply.push({ requestId: m.requestId, index: m.index });
        return;
      }
    }
  }

  hasReady(): boolean {
    const applicable = Math.min(this.commit, this.log.stableIndex);
    return (
      this.outbox.length > 0 ||
      this.snapshotToApply !== null ||
      this.log.unstable().length > 0 ||
      applicable > this.applied ||
      !sameHardState(this.lastHardState, this.hardState()) ||
      this.readRoundDue ||
      this.readsRefused.length > 0 ||
      this.readsAwaitingApply.some((read) => read.index <= applicable)
    );
  }

  /** What to persist, send, apply and answer now; call advance() once done. */
  ready(): Ready {
    // the reads that arrived since the last Ready share one round of heartbeats
    if (this.readRoundDue) this.startReadRound();
    const hardState = this.hardState();
    const snapshot = this.snapshotToApply;
    this.snapshotToApply = null;
    const appliedBefore = snapshot ? snapshot.meta.index : this.applied;
    // only entries already persisted here are applied (the leader's own included)
    const committed = this.log.slice(appliedBefore + 1, Math.min(this.commit, this.log.stableIndex) + 1);
    const appliedAfter = committed.at(-1)?.index ?? appliedBefore;
    const servable = this.readsAwaitingApply.filter((read) => read.index <= appliedAfter);
    this.readsAwaitingApply = this.readsAwaitingApply.filter((read) => read.index > appliedAfter);
    const ready: Ready = {
      hardState: sameHardState(hardState, this.lastHardState) ? null : hardState,
      snapshot,
      entries: this.log.unstable(),
      messages: this.outbox,
      committed,
      reads: [...this.readsRefused, ...servable.map(({ requestId, index }): ReadOutcome => ({ requestId, status: 'ready', index }))],
    };
    this.outbox = [];
    this.readsRefused = [];
    return ready;
  }

  advance(ready: Ready): void {
    if (ready.hardState) this.lastHardState = ready.hardState;
    const lastPersisted = ready.entries.at(-1);
    // entries may have been replaced since ready(): persisted is what still matches
    if (lastPersisted && this.log.termAt(lastPersisted.index) === lastPersisted.term) this.log.stableIndex = Math.max(this.log.stableIndex, lastPersisted.index);
    if (ready.snapshot) this.applied = Math.max(this.applied, ready.snapshot.meta.index);
    const lastApplied = ready.committed.at(-1);
    if (lastApplied) this.applied = lastApplied.index;
    if (this.role === 'leader') this.commitAndBroadcast();
  }

  /**
   * May this node start elections? Voters may, learners and removed nodes may not, except a voter
   * whose removal is appended but not known committed: its log may be the only one holding the
   * removal, and the remaining voters could then never win (it campaigns under the new
   * membership, and steps down once the removal commits).
   */
  private promotable(): boolean {
    return isVoter(this.membership, this.id) || (this.log.lastConfigIndex > this.commit && isVoter(this.membershipAt(this.commit), this.id));
  }

  private inLease(): boolean {
    return this.leaderId !== null && this.role === 'follower' && this.electionElapsed < this.config.electionTick;
  }

  private campaign(kind: 'preCandidate' | 'candidate', options: { transfer: boolean } = { transfer: false }): void {
    this.role = kind;
    this.votes = new Map([[this.id, true]]);
    this.leaderId = null;
    // each phase gets a whole randomised timeout: a candidate must not time out on votes still on their way
    this.electionElapsed = 0;
    this.resetElectionTimeout();
    let term = this.term + 1;
    if (kind === 'candidate') {
      this.term = term;
      this.vote = this.id;
      term = this.term;
    }
    if (this.tallyVotes()) return;
    for (const peer of this.membership.voters) {
      if (peer === this.id) continue;
      this.send({ type: kind === 'preCandidate' ? 'preVote' : 'vote', from: this.id, to: peer, term, lastIndex: this.log.lastIndex, lastTerm: this.log.lastTerm, transfer: options.transfer });
    }
  }

  /** Counts the answers of the voters in this node's membership; returns true when the election is decided. */
  private tallyVotes(): boolean {
    const { voters } = this.membership;
    const granted = voters.filter((id) => this.votes.get(id) === true).length;
    const rejected = voters.filter((id) => this.votes.get(id) === false).length;
    if (granted >= quorum(this.membership)) {
      if (this.role === 'preCandidate') this.campaign('candidate');
      else this.becomeLeader();
      return true;
    }
    if (rejected >= quorum(this.membership)) {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  private becomeFollower(term: number, leaderId: number | null): void {
    const wasLeader = this.role === 'leader';
    this.transferee = null;
    if (term > this.term) {
      this.term = term;
      this.vote = null;
    }
    this.role = 'follower';
    this.leaderId = leaderId;
    if (wasLeader) this.abandonLeaderReads();
    this.electionElapsed = 0;
    this.resetElectionTimeout();
  }

  private becomeLeader(): void {
    invariant(this.role === 'candidate', 'only a candidate becomes leader');
    this.role = 'leader';
    this.leaderId = this.id;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.progress.clear();
    this.syncProgress();
    this.transferee = null;
    // a no-op of the new term lets earlier entries commit (they cannot by counting alone)
    this.appendAsLeader('normal', new Uint8Array(0));
  }

  private appendAsLeader(type: Entry['type'], data: Uint8Array): number {
    const index = this.log.lastIndex + 1;
    this.log.append({ term: this.term, index, type, data });
    if (type === 'config') this.syncProgress();
    this.broadcastAppend();
    return index;
  }

  /** One progress per member but this node: new members start probing at the log end. */
  private syncProgress(): void {
    const peers = members(this.membership).filter((id) => id !== this.id);
    for (const id of this.progress.keys()) if (!peers.includes(id)) this.progress.delete(id);
    for (const id of peers) if (!this.progress.has(id)) this.progress.set(id, { match: 0, next: this.log.lastIndex + 1, recentActive: true, snapshot: null, roundAcked: 0, pipelined: false });
    if (this.transferee !== null && !isVoter(this.membership, this.transferee)) this.transferee = null;
  }

  private handleAppend(m: Extract<Message, { type: 'append' }>): void {
    if (m.prevIndex < this.commit) {
      // committed entries match the leader's (maybe compacted here): answer with what is known to match
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: true, index: this.commit, round: m.round });
      return;
    }
    if (m.prevIndex > this.log.lastIndex) {
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: false, index: this.log.lastIndex + 1, round: m.round });
      return;
    }
    if (this.log.termAt(m.prevIndex) !== m.prevTerm) {
      const hint = Math.min(m.prevIndex, this.log.firstIndexOfTerm(m.prevIndex));
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: false, index: hint, round: m.round });
      return;
    }
    const truncatedFrom = this.log.merge(m.entries);
    invariant(truncatedFrom === null || truncatedFrom > this.commit, 'a leader never replaces committed entries');
    const matched = m.prevIndex + m.entries.length;
    if (m.commit > this.commit) this.commit = Math.max(this.commit, Math.min(m.commit, matched));
    this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: true, index: matched, round: m.round });
  }

  /**
   * Commits the highest index stored on a majority of voters, if it belongs to the current term,
   * and tells the followers. A leader that removed itself steps down once that is committed.
   */
  private commitAndBroadcast(): void {
    const { voters } = this.membership;
    const matches = voters.map((id) => (id === this.id ? this.log.stableIndex : (this.progress.get(id)?.match ?? 0))).sort((a, b) => b - a);
    const candidate = matches[quorum(this.membership) - 1];
    if (candidate <= this.commit || this.log.termAt(candidate) !== this.term) return;
    this.commit = candidate;
    this.broadcastAppend();
    // the commit index now covers every earlier term's entries: reads that waited for it can start
    for (const read of this.readsAwaitingTermCommit) this.leaderRead(read);
    this.readsAwaitingTermCommit = [];
    if (!isVoter(this.membership, this.id) && this.commit >= this.log.lastConfigIndex) {
      // removed: hand over to a voter holding the whole log rather than wait for an election timeout
      const successor = this.membership.voters.find((id) => this.progress.get(id)?.match === this.log.lastIndex);
      if (successor !== undefined) this.sendTimeoutNow(successor);
      this.becomeFollower(this.term, null);
    }
  }

  private leaderRead(read: Omit<LeaderRead, 'index' | 'round'>): void {
    if (this.log.termAt(this.commit) !== this.term) {
      this.readsAwaitingTermCommit.push(read);
      return;
    }
    this.readsAwaitingRound.push({ ...read, index: this.commit, round: this.readRound + 1 });
    this.readRoundDue = true;
  }

  /** Heartbeats carrying a new round: answers to it confirm the reads registered before it. */
  private startReadRound(): void {
    this.readRoundDue = false;
    this.readRound++;
    for (const [peer, p] of this.progress) if (!p.snapshot && p.next > this.log.snapshotIndex) this.sendHeartbeat(peer, p);
    this.confirmReads();
  }

  private confirmReads(): void {
    const { voters } = this.membership;
    const acked = (round: number) => voters.filter((id) => (id === this.id ? round <= this.readRound : (this.progress.get(id)?.roundAcked ?? 0) >= round)).length;
    while (this.readsAwaitingRound.length > 0 && acked(this.readsAwaitingRound[0].round) >= quorum(this.membership)) {
      const read = this.readsAwaitingRound.shift() as LeaderRead;
      if (read.from === this.id) this.readsAwaitingApply.push({ requestId: read.requestId, index: read.index });
      else this.send({ type: 'readIndexResp', from: this.id, to: read.from, term: this.term, requestId: read.requestId, index: read.index });
    }
  }

  /** A leader stepping down cannot confirm its reads: they are refused (forwarded ones, to their follower). */
  private abandonLeaderReads(): void {
    for (const read of [...this.readsAwaitingTermCommit, ...this.readsAwaitingRound]) {
      if (read.from === this.id) this.refuseRead(read.requestId, 'leaderChanged');
      else this.send({ type: 'readIndexResp', from: this.id, to: read.from, term: this.term, requestId: read.requestId, index: null });
    }
    this.readsAwaitingTermCommit = [];
    this.readsAwaitingRound = [];
  }

  private expireForwardedReads(): void {
    for (const [requestId, ticks] of this.readsForwarded) {
      if (ticks + 1 < this.config.electionTick) {
        this.readsForwarded.set(requestId, ticks + 1);
      } else {
        this.readsForwarded.delete(requestId);
        this.refuseRead(requestId, 'timeout');
      }
    }
  }

  private refuseRead(requestId: string, reason: ReadRefusal): void {
    this.readsRefused.push({ requestId, status: 'refused', reason, leaderId: this.leaderId });
  }

  private pendingReads(): number {
    return this.readsAwaitingRound.length + this.readsAwaitingTermCommit.length + this.readsForwarded.size + this.readsAwaitingApply.length;
  }

  /**
   * Appends to every follower. A follower receiving the snapshot gets its next chunk only on a
   * heartbeat (or when it answers): new proposals do not resend chunks already in flight.
   */
  private broadcastAppend(options: { heartbeat: boolean } = { heartbeat: false }): void {
    for (const [peer, p] of this.progress) {
      if (!options.heartbeat && p.snapshot) continue;
      this.sendAppend(peer);
    }
  }

  /**
   * Follower side of InstallSnapshot, one chunk at a time: chunks must arrive in order (the
   * answer tells the leader which byte to send next); a whole snapshot past what this node
   * committed replaces its log, unless the log already holds the snapshot's last entry.
   */
  private handleSnapshotChunk(m: Extract<Message, { type: 'snapshot' }>): void {
    const { index, term } = m.meta;
    // snapshot chunks carry no read round: round 0 confirms no read
    if (index <= this.commit || this.log.termAt(index) === term) {
      // everything the snapshot holds is here already: commit it and answer like an append
      this.incomingSnapshot = null;
      this.commit = Math.max(this.commit, index);
      this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: true, index: this.commit, round: 0 });
      return;
    }
    let incoming = this.incomingSnapshot;
    if (!incoming || incoming.term !== this.term || incoming.index !== index) {
      incoming = this.incomingSnapshot = { term: this.term, index, chunks: [], received: 0 };
    }
    if (m.offset === incoming.received && incoming.received + m.chunk.length <= m.totalBytes) {
      incoming.chunks.push(m.chunk);
      incoming.received += m.chunk.length;
    }
    if (incoming.received < m.totalBytes) {
      this.send({ type: 'snapshotResp', from: this.id, to: m.from, term: this.term, index, received: incoming.received });
      return;
    }
    this.incomingSnapshot = null;
    const snapshot: Snapshot = { meta: m.meta, data: concat(incoming.chunks, incoming.received) };
    this.log.restore(snapshot);
    this.commit = index;
    this.snapshotToApply = snapshot;
    // sent once the snapshot is persisted (same Ready): the leader may then count it as a match
    this.send({ type: 'appendResp', from: this.id, to: m.from, term: this.term, success: true, index, round: 0 });
  }

  private sendAppend(to: number): void {
    const p = this.progress.get(to);
    if (!p) return;
    if (p.snapshot || p.next <= this.log.snapshotIndex) {
      this.sendSnapshotChunk(to, p);
      return;
    }
    const prevIndex = p.next - 1;
    const entries = this.log.slice(p.next, Math.min(this.log.lastIndex, prevIndex + this.config.maxEntriesPerAppend) + 1);
    this.send({ type: 'append', from: this.id, to, term: this.term, prevIndex, prevTerm: this.log.termAt(prevIndex) as number, entries, commit: this.commit, round: this.readRound });
    // without this, every proposal and every answer resent all unacknowledged entries (quadratic under load)
    if (p.pipelined && entries.length > 0) p.next = entries[entries.length - 1].index + 1;
  }

  /** An append without entries: as cheap as a heartbeat, and answered like any append. */
  private sendHeartbeat(to: number, p: Progress): void {
    const prevIndex = p.next - 1;
    this.send({ type: 'append', from: this.id, to, term: this.term, prevIndex, prevTerm: this.log.termAt(prevIndex) as number, entries: [], commit: this.commit, round: this.readRound });
  }

  private sendTimeoutNow(to: number): void {
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  /**
   * The follower needs entries compacted into the snapshot: send the snapshot, one bounded chunk
   * per call (again on every heartbeat until acknowledged, so a lost chunk is resent).
   */
  private sendSnapshotChunk(to: number, p: Progress): void {
    const snapshot = this.log.snapshot;
    invariant(snapshot !== null, 'a follower behind the log start needs the snapshot that replaced it');
    if (p.snapshot?.index !== snapshot.meta.index) p.snapshot = { index: snapshot.meta.index, offset: 0 };
    const chunkBytes = this.config.maxSnapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
    const { offset } = p.snapshot;
    const chunk = snapshot.data.subarray(offset, offset + chunkBytes);
    this.send({ type: 'snapshot', from: this.id, to, term: this.term, meta: snapshot.meta, offset, totalBytes: snapshot.data.length, chunk });
  }

  private send(m: Message): void {
    this.outbox.push(m);
  }

  private resetElectionTimeout(): void {
    this.randomizedElectionTimeout = this.config.electionTick + Math.floor(this.config.rng.next() * this.config.electionTick);
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function concat(chunks: Uint8Array[], totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
