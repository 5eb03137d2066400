import { RaftNode, RaftNodeConfig } from '../core/raft-node';
import { decodeMembership } from '../core/membership';
import { Entry, Membership, MembershipChange, Message, ProposalResult, ReadRefusal, Ready, Snapshot, TransferResult } from '../core/types';
import { RaftStorage } from '../storage/raft-storage';

export interface RaftTransport {
  send(message: Message): void;
}

export class ReadIndexRefusedError extends Error {
  constructor(
    readonly reason: ReadRefusal,
    /** Where to retry, when known. */
    readonly leaderId: number | null,
  ) {
    super(`read index refused: ${reason}${leaderId !== null ? ` (leader: ${leaderId})` : ''}`);
  }
}

/** How an application takes part in snapshots (see RaftRunner.useSnapshots). */
export interface SnapshotHooks {
  /** Take a snapshot once this many entries were applied since the last one. */
  appliedEntriesBetweenSnapshots: number;
  /** The state machine's state as of `runner.applied`; no entry is applied while it runs. */
  take(): Promise<Uint8Array>;
  /** Replace the state machine's state: a snapshot installed from the leader, or found at start. */
  restore(snapshot: Snapshot): Promise<void>;
}

/**
 * Drives a RaftNode in real time: ticks on a timer, steps received messages, and handles each
 * Ready in the order Raft demands: persist (fsync), then send, then apply, then advance. One
 * Ready at a time; messages arriving meanwhile are stepped right away.
 */
export class RaftRunner {
  readonly node: RaftNode;
  private timer: NodeJS.Timeout | null = null;
  private processing = false;
  private again = false;
  private stopped = false;
  private readonly applyListeners: ((entry: Entry) => Promise<void>)[] = [];
  private readonly membershipListeners: ((membership: Membership, index: number) => void)[] = [];
  private readonly leaderListeners: ((leaderId: number | null) => void)[] = [];
  private lastLeader: number | null = null;
  private appliedIndex = 0;
  private appliedTerm = 0;
  private snapshotHooks: SnapshotHooks | null = null;
  /** The snapshot found in storage at start, restored before anything is applied. */
  private snapshotToRestore: Snapshot | null;
  private readonly pendingReads = new Map<string, { resolve: (index: number) => void; reject: (error: Error) => void }>();
  private readCount = 0;

  constructor(
    config: Omit<RaftNodeConfig, 'persisted'>,
    private readonly storage: RaftStorage,
    private readonly transport: RaftTransport,
    private readonly tickMs: number,
  ) {
    this.node = new RaftNode({ ...config, persisted: { hardState: storage.hardState, entries: storage.entries(), snapshot: storage.snapshot } });
    this.snapshotToRestore = storage.snapshot;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  /** Every committed application entry (commands and the leaders' empty no-ops), in order. */
  onApply(listener: (entry: Entry) => Promise<void>): void {
    this.applyListeners.push(listener);
  }

  /** Every committed membership change (config entries are not passed to onApply listeners). */
  onMembershipChange(listener: (membership: Membership, index: number) => void): void {
    this.membershipListeners.push(listener);
  }

  onLeaderChange(listener: (leaderId: number | null) => void): void {
    this.leaderListeners.push(listener);
  }

  /** Lets the application snapshot its state machine (the log is compacted) and restore one. */
  useSnapshots(hooks: SnapshotHooks): void {
    if (!(hooks.appliedEntriesBetweenSnapshots >= 1)) throw new RangeError('appliedEntriesBetweenSnapshots must be at least 1');
    this.snapshotHooks = hooks;
  }

  start(): void {
    if (this.snapshotToRestore && !this.snapshotHooks) throw new Error('the raft storage holds a snapshot: call useSnapshots() before start()');
    this.timer = setInterval(() => {
      this.node.tick();
      this.process();
    }, this.tickMs);
    this.process();
  }

  step(message: Message): void {
    if (this.stopped || message.to !== this.node.id) return;
    this.node.step(message);
    this.process();
  }

  /** Proposes `data`; returns the index and term it was appended at, or null when not leading. */
  propose(data: Uint8Array): { index: number; term: number } | null {
    const index = this.node.propose(data);
    if (index === null) return null;
    const term = this.node.term;
    this.process();
    return { index, term };
  }

  /** Proposes a single-server membership change (see RaftNode.proposeMembershipChange). */
  proposeMembershipChange(change: MembershipChange): ProposalResult {
    const result = this.node.proposeMembershipChange(change);
    if ('index' in result) this.process();
    return result;
  }

  /** Hands leadership to voter `to` (see RaftNode.transferLeadership); proposals are refused meanwhile. */
  transferLeadership(to: number): TransferResult {
    const result = this.node.transferLeadership(to);
    this.process();
    return result;
  }

  /**
   * A linearizable read: resolves with the read index once every entry committed before this
   * call is applied here (listeners included), so the application may then answer from its own
   * state; rejects with ReadIndexRefusedError (no leader, leadership lost, timed out).
   */
  readIndex(): Promise<number> {
    const requestId = `${this.node.id}:${this.readCount++}`;
    const answer = new Promise<number>((resolve, reject) => this.pendingReads.set(requestId, { resolve, reject }));
    this.node.readIndex(requestId);
    this.process();
    return answer;
  }

  stop(): void {
    this.stopped = true;
    for (const read of this.pendingReads.values()) read.reject(new ReadIndexRefusedError('leaderChanged', null));
    this.pendingReads.clear();
    if (this.timer) clearInterval(this.timer);
    this.storage.close();
  }

  private process(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    void this.drain()
      .catch((error: unknown) => {
        // stop() closes the storage under a Ready being persisted: expected then, fatal otherwise
        if (!this.stopped) throw error;
      })
      .finally(() => {
        this.processing = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.process();
        }
      });
  }

  private async drain(): Promise<void> {
    if (this.snapshotToRestore) {
      await this.restore(this.snapshotToRestore);
      this.snapshotToRestore = null;
    }
    // bounded: each pass handles one Ready; new work re-triggers process()
    for (let pass = 0; pass < 100 && !this.stopped && this.node.hasReady(); pass++) {
      const ready = this.node.ready();
      await this.storage.save(ready);
      if (this.stopped) return;
      for (const message of ready.messages) this.transport.send(message);
      await this.apply(ready);
      this.node.advance(ready);
      this.notifyLeader();
      await this.maybeSnapshot();
    }
    this.notifyLeader();
  }

  private async apply(ready: Ready): Promise<void> {
    if (ready.snapshot) await this.restore(ready.snapshot);
    for (const entry of ready.committed) {
      if (entry.type === 'config') {
        const membership = decodeMembership(entry.data);
        for (const listener of this.membershipListeners) listener(membership, entry.index);
      } else {
        for (const listener of this.applyListeners) await listener(entry);
      }
      this.appliedIndex = entry.index;
      this.appliedTerm = entry.term;
    }
    for (const outcome of ready.reads) {
      const read = this.pendingReads.get(outcome.requestId);
      this.pendingReads.delete(outcome.requestId);
      if (outcome.status === 'ready') read?.resolve(outcome.index);
      else read?.reject(new ReadIndexRefusedError(outcome.reason, outcome.leaderId));
    }
  }

  private async restore(snapshot: Snapshot): Promise<void> {
    const hooks = this.snapshotHooks;
    if (!hooks) throw new Error('a snapshot arrived but the application did not call useSnapshots()');
    await hooks.restore(snapshot);
    this.appliedIndex = snapshot.meta.index;
    this.appliedTerm = snapshot.meta.term;
  }

  /** Snapshot once enough entries were applied: persisted first, then the core drops the prefix. */
  private async maybeSnapshot(): Promise<void> {
    const hooks = this.snapshotHooks;
    if (!hooks || this.appliedIndex - this.node.log.snapshotIndex < hooks.appliedEntriesBetweenSnapshots) return;
    const meta = { index: this.appliedIndex, term: this.appliedTerm, membership: this.node.membershipAt(this.appliedIndex) };
    const data = await hooks.take();
    // a leader's newer snapshot may have been installed meanwhile (persisted with the next Ready)
    if (this.stopped || meta.index <= this.node.log.snapshotIndex) return;
    const snapshot = { meta, data };
    this.storage.saveSnapshot(snapshot);
    this.node.compact(snapshot);
  }

  private notifyLeader(): void {
    if (this.node.leaderId !== this.lastLeader) {
      this.lastLeader = this.node.leaderId;
      for (const listener of this.leaderListeners) listener(this.lastLeader);
    }
  }
}
