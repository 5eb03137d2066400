import { isMember, isSingleServerChange, isVoter, members } from '../core/membership';
import { RaftNode } from '../core/raft-node';
import { Entry, EntryType, HardState, MembershipChange, Message, Rng, Snapshot, seededRng } from '../core/types';

/**
 * A whole Raft cluster in one process on a seeded PRNG: a network that loses, delays,
 * duplicates and reorders messages, partitions (symmetric, one-way, bridged), crashes that lose
 * everything not yet persisted, tick skew, client proposals, snapshots taken by the
 * application at random points (then installed on lagging and restarted nodes), membership
 * changes (spare nodes added as learners, promoted, members removed and added again), leader
 * transfers, and read-index reads checked for linearizability. Safety is checked after every
 * step; liveness once the faults stop. One seed replays exactly.
 */
export interface SimOptions {
  seed: number;
  nodes: number;
  /** Steps with faults, then steps to recover after healing. */
  faultySteps: number;
  recoverySteps: number;
}

/** What a run went through, so a sweep can show that its faults and features were exercised. */
export interface SimStats {
  leaderTerms: number;
  committedEntries: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  membershipChanges: number;
  leaderTransfers: number;
  readsServed: number;
  readsRefused: number;
}

export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly nodes: number,
    message: string,
  ) {
    super(`${message}\nreplay: node -r ./tools/scripts/register.js libs/raft/src/sim/run.ts --seed ${seed} --nodes ${nodes}`);
  }
}

interface Disk {
  hardState: HardState;
  snapshot: Snapshot | null;
  /** The persisted entries after the snapshot. */
  entries: Entry[];
}

/** One applied entry of the simulated state machine (its index is its position + 1). */
interface AppliedEntry {
  term: number;
  type: EntryType;
  data: string;
}

interface InFlight {
  at: number;
  message: Message;
}

const ELECTION_TICK = 10;
/** Nodes beyond the initial voters, running from the start, that membership changes may add. */
const SPARE_NODES = 2;

export class ClusterSim {
  private readonly rng: Rng;
  /** Every node that runs: the initial voters, then the spares. */
  private readonly ids: number[];
  private readonly initialVoters: number[];
  private readonly nodes = new Map<number, RaftNode | null>();
  private readonly disks = new Map<number, Disk>();
  /** Each node's state machine: every entry it applied, in order (restored from snapshots). */
  private readonly applied = new Map<number, AppliedEntry[]>();
  private network: InFlight[] = [];
  /** cut.has(`${a}>${b}`): messages from a to b are dropped */
  private cut = new Set<string>();
  private step = 0;
  private lossRate = 0;
  private dupRate = 0;
  private maxDelay = 1;
  private snapshotChunkBytes = 1024;
  /** index -> data of every entry some node applied (state machine safety) */
  private readonly committed = new Map<number, AppliedEntry>();
  private readonly leaders = new Map<number, number>();
  private proposalCount = 0;
  private snapshotsTaken = 0;
  private snapshotsInstalled = 0;
  private membershipChanges = 0;
  private leaderTransfers = 0;
  private readsServed = 0;
  private readsRefused = 0;
  /** Reads issued and not yet answered: where, and the commit index every node knew of then. */
  private readonly reads = new Map<string, { nodeId: number; mustObserve: number }>();
  private readCount = 0;
  /** The highest commit index any node has known (entries up to it are committed, and may have been acknowledged). */
  private highestCommit = 0;

  constructor(private readonly options: SimOptions) {
    this.rng = seededRng(options.seed);
    this.lossRate = this.rng.next() * 0.3;
    this.dupRate = this.rng.next() * 0.1;
    this.maxDelay = 1 + Math.floor(this.rng.next() * 5);
    this.snapshotChunkBytes = 64 * (1 + Math.floor(this.rng.next() * 16));
    this.initialVoters = Array.from({ length: options.nodes }, (_, i) => i + 1);
    this.ids = Array.from({ length: options.nodes + SPARE_NODES }, (_, i) => i + 1);
    for (const id of this.ids) {
      this.disks.set(id, { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
      this.applied.set(id, []);
      this.start(id);
    }
  }

  run(): SimStats {
    for (let i = 0; i < this.options.faultySteps; i++) {
      this.faults();
      this.advanceOneStep(true);
    }
    // heal: restart everyone, stop losing messages, then everything must converge
    this.cut.clear();
    this.lossRate = 0;
    this.dupRate = 0;
    for (const id of this.ids) if (this.nodes.get(id) === null) this.start(id);
    const marker = `final-${this.options.seed}`;
    let proposedAt = -Infinity;
    for (let i = 0; i < this.options.recoverySteps; i++) {
      this.advanceOneStep(false);
      const leader = this.currentLeader();
      // a proposal may be lost with a leader that steps down: Raft lets clients retry
      if (leader && i - proposedAt > 5 * ELECTION_TICK && ![...this.committed.values()].some((c) => c.data === marker)) {
        if (leader.propose(new TextEncoder().encode(marker)) !== null) proposedAt = i;
      }
      // every member (as the leader sees it) applies the marker; removed and never-added nodes need not
      if (leader && members(leader.membership).every((id) => this.applied.get(id)?.some((e) => e.data === marker))) {
        return {
          leaderTerms: this.leaders.size,
          committedEntries: this.committed.size,
          snapshotsTaken: this.snapshotsTaken,
          snapshotsInstalled: this.snapshotsInstalled,
          membershipChanges: this.membershipChanges,
          leaderTransfers: this.leaderTransfers,
          readsServed: this.readsServed,
          readsRefused: this.readsRefused,
        };
      }
    }
    const states = this.ids.map((id) => {
      const n = this.nodes.get(id);
      return n ? `${id}:${n.role}@${n.term} last=${n.log.lastIndex} commit=${n.commit} leader=${n.leaderId} voters=${n.membership.voters} learners=${n.membership.learners}` : `${id}:down`;
    });
    this.fail(`liveness: no convergence within ${this.options.recoverySteps} steps after healing [${states.join(', ')}]`);
  }

  private start(id: number): void {
    const disk = this.disks.get(id) as Disk;
    this.nodes.set(
      id,
      new RaftNode({
        id,
        voters: this.initialVoters,
        electionTick: ELECTION_TICK,
        heartbeatTick: 1,
        rng: seededRng(this.options.seed * 31 + id * 7 + this.step),
        maxEntriesPerAppend: 8,
        maxSnapshotChunkBytes: this.snapshotChunkBytes,
        persisted: { hardState: { ...disk.hardState }, snapshot: disk.snapshot, entries: disk.entries.map((e) => ({ ...e })) },
      }),
    );
    // the state machine restarts from the snapshot, then re-applies the entries after it
    this.applied.set(id, []);
    if (disk.snapshot) this.restore(id, disk.snapshot);
  }

  /** The application snapshots its state machine as it is, and the node compacts its log. */
  private takeSnapshot(id: number): void {
    const node = this.nodes.get(id);
    const applied = this.applied.get(id) as AppliedEntry[];
    if (!node || applied.length <= node.log.snapshotIndex) return;
    const index = applied.length;
    const snapshot: Snapshot = {
      meta: { index, term: applied[index - 1].term, membership: node.membershipAt(index) },
      data: new TextEncoder().encode(JSON.stringify(applied)),
    };
    const disk = this.disks.get(id) as Disk;
    disk.snapshot = snapshot;
    disk.entries = disk.entries.filter((e) => e.index > index);
    node.compact(snapshot);
    this.snapshotsTaken++;
  }

  /** State machine safety across snapshots: a restored state holds exactly the committed entries. */
  private restore(id: number, snapshot: Snapshot): void {
    const entries = JSON.parse(new TextDecoder().decode(snapshot.data)) as AppliedEntry[];
    if (entries.length !== snapshot.meta.index || (entries.at(-1)?.term ?? 0) !== snapshot.meta.term) {
      this.fail(`node ${id} got snapshot ${snapshot.meta.index}@${snapshot.meta.term} holding ${entries.length} entries`);
    }
    entries.forEach((entry, i) => this.checkApplied(id, i + 1, entry));
    this.applied.set(id, entries);
  }

  /** State machine safety: every node applies the same command at the same index. */
  private checkApplied(id: number, index: number, entry: AppliedEntry): void {
    const seen = this.committed.get(index);
    if (seen && (seen.term !== entry.term || seen.data !== entry.data)) {
      this.fail(`state machine safety: node ${id} applied "${entry.data}"@${entry.term} at ${index}, another applied "${seen.data}"@${seen.term}`);
    }
    this.committed.set(index, entry);
  }

  private fail(message: string): never {
    throw new SimFailure(this.options.seed, this.options.nodes, message);
  }

  private faults(): void {
    const roll = this.rng.next();
    if (roll < 0.03) {
      // crash a random node (it loses what it had not persisted)
      const id = this.pick(this.ids);
      this.nodes.set(id, null);
      for (const [requestId, read] of this.reads) if (read.nodeId === id) this.reads.delete(requestId); // lost with it
    } else if (roll < 0.08) {
      const down = this.ids.filter((id) => this.nodes.get(id) === null);
      if (down.length > 0) this.start(this.pick(down));
    } else if (roll < 0.11) {
      this.partition();
    } else if (roll < 0.13) {
      this.cut.clear();
    } else if (roll < 0.16) {
      this.takeSnapshot(this.pick(this.ids));
    } else if (roll < 0.18) {
      this.changeMembership();
    } else if (roll < 0.2) {
      const leader = this.currentLeader();
      const to = leader && this.pick(leader.membership.voters);
      if (leader && to !== undefined && 'transferringTo' in leader.transferLeadership(to)) this.leaderTransfers++;
    }
  }

  /** The leader adds a spare (or a removed node) as a learner, promotes a learner, or removes a member. */
  private changeMembership(): void {
    const leader = this.currentLeader();
    if (!leader) return;
    const current = leader.membership;
    const outsiders = this.ids.filter((id) => !isMember(current, id));
    const roll = this.rng.next();
    let change: MembershipChange;
    if (roll < 0.4 && outsiders.length > 0) change = { type: 'addLearner', nodeId: this.pick(outsiders) };
    else if (roll < 0.7 && current.learners.length > 0) change = { type: 'promote', nodeId: this.pick(current.learners) };
    else change = { type: 'remove', nodeId: this.pick(members(current)) };
    if ('index' in leader.proposeMembershipChange(change)) this.membershipChanges++;
  }

  /**
   * Symmetric split, one-way split, or a split with one bridge node that reaches both sides; one
   * side is often the leader alone (the others elect a new one while it may still believe it leads).
   */
  private partition(): void {
    this.cut.clear();
    const shape = this.rng.next();
    const leader = this.currentLeader();
    const side = new Set(leader && this.rng.next() < 0.5 ? [leader.id] : this.ids.filter(() => this.rng.next() < 0.5));
    const bridge = shape >= 0.8 ? this.pick(this.ids) : null;
    for (const a of this.ids) {
      for (const b of this.ids) {
        if (a === b || side.has(a) === side.has(b) || a === bridge || b === bridge) continue;
        if (shape < 0.5 || shape >= 0.8 || side.has(a)) this.cut.add(`${a}>${b}`);
      }
    }
  }

  private advanceOneStep(withProposals: boolean): void {
    this.step++;
    if (withProposals && this.rng.next() < 0.3) {
      const leader = this.currentLeader();
      leader?.propose(new TextEncoder().encode(`c${this.proposalCount++}`));
    }
    if (withProposals && this.rng.next() < 0.1) this.issueRead();
    // deliver what is due, in a shuffled order (reordering)
    const due = this.network.filter((f) => f.at <= this.step);
    this.network = this.network.filter((f) => f.at > this.step);
    for (let i = due.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      [due[i], due[j]] = [due[j], due[i]];
    }
    for (const { message } of due) this.nodes.get(message.to)?.step(message);
    for (const id of this.ids) {
      const node = this.nodes.get(id);
      if (!node) continue;
      node.tick();
      if (this.rng.next() < 0.05) node.tick(); // clock skew
    }
    for (const id of this.ids) this.handleReady(id);
    for (const node of this.nodes.values()) if (node) this.highestCommit = Math.max(this.highestCommit, node.commit);
    this.checkSafety();
  }

  /**
   * A client reads through a node that believes it leads (a deposed one still may: it must not
   * answer from its stale state), or through any node (which forwards the read or refuses it).
   */
  private issueRead(): void {
    const live = this.ids.map((id) => this.nodes.get(id)).filter((n): n is RaftNode => !!n);
    const leaders = live.filter((n) => n.role === 'leader');
    const node = this.rng.next() < 0.6 && leaders.length > 0 ? this.pick(leaders) : this.pick(live);
    if (!node) return;
    const requestId = `r${this.readCount++}`;
    this.reads.set(requestId, { nodeId: node.id, mustObserve: this.highestCommit });
    node.readIndex(requestId);
  }

  private handleReady(id: number): void {
    const node = this.nodes.get(id);
    if (!node || !node.hasReady()) return;
    const ready = node.ready();
    // 1. persist (a snapshot replaces the log; entries replace the persisted suffix from their first index)
    const disk = this.disks.get(id) as Disk;
    if (ready.snapshot) {
      disk.snapshot = ready.snapshot;
      disk.entries = [];
    }
    if (ready.entries.length > 0) {
      const first = ready.entries[0].index;
      disk.entries = disk.entries.filter((e) => e.index < first);
      for (const e of ready.entries) disk.entries.push({ ...e });
    }
    if (ready.hardState) disk.hardState = { ...ready.hardState };
    // 2. send
    for (const message of ready.messages) {
      if (this.cut.has(`${message.from}>${message.to}`) || this.rng.next() < this.lossRate) continue;
      const copies = this.rng.next() < this.dupRate ? 2 : 1;
      for (let c = 0; c < copies; c++) this.network.push({ at: this.step + 1 + Math.floor(this.rng.next() * this.maxDelay), message });
    }
    // 3. restore from the snapshot, then apply, checking every node applies the same command at the same index
    if (ready.snapshot) {
      this.restore(id, ready.snapshot);
      this.snapshotsInstalled++;
    }
    const applied = this.applied.get(id) as AppliedEntry[];
    for (const entry of ready.committed) {
      const appliedEntry = { term: entry.term, type: entry.type, data: new TextDecoder().decode(entry.data) };
      this.checkApplied(id, entry.index, appliedEntry);
      if (entry.index !== applied.length + 1) this.fail(`node ${id} applied index ${entry.index} after ${applied.length}`);
      applied.push(appliedEntry);
    }
    // 4. answer reads: linearizable means the state read holds every write committed before the read was issued
    for (const outcome of ready.reads) {
      const read = this.reads.get(outcome.requestId);
      if (!read) this.fail(`node ${id} answered unknown read ${outcome.requestId}`);
      this.reads.delete(outcome.requestId);
      if (outcome.status === 'refused') {
        this.readsRefused++;
        continue;
      }
      if (applied.length < read.mustObserve || outcome.index > applied.length) {
        this.fail(`linearizability: node ${id} served read ${outcome.requestId} (index ${outcome.index}) at applied ${applied.length}, but ${read.mustObserve} was committed when it was issued`);
      }
      this.readsServed++;
    }
    node.advance(ready);
  }

  private checkSafety(): void {
    for (const id of this.ids) {
      const node = this.nodes.get(id);
      if (!node || node.role !== 'leader') continue;
      // election safety: one leader per term
      const known = this.leaders.get(node.term);
      if (known !== undefined && known !== id) this.fail(`election safety: nodes ${known} and ${id} both lead term ${node.term}`);
      this.checkConfigDiscipline(node);
      if (known === undefined) {
        this.leaders.set(node.term, id);
        // a voter, or one being removed by an uncommitted config (see RaftNode.promotable)
        if (!isVoter(node.membership, id) && !isVoter(node.membershipAt(node.commit), id)) this.fail(`node ${id} leads term ${node.term} without being a voter (${node.membership.voters})`);
        // leader completeness: a new leader holds every entry committed before its term
        for (const [index, entry] of this.committed) {
          // entries up to the snapshot are in it (its contents are checked when restored)
          if (index >= node.log.snapshotIndex && entry.term < node.term && node.log.termAt(index) !== entry.term) {
            this.fail(`leader completeness: leader ${id} of term ${node.term} lacks committed entry ${index}@${entry.term}`);
          }
        }
      }
    }
    if (this.step % 10 === 0) this.checkLogMatching();
  }

  /**
   * A leader's config entries: at most one uncommitted, each one single-server change away from
   * the membership before it (what keeps the majorities of successive configs overlapping).
   */
  private checkConfigDiscipline(leader: RaftNode): void {
    let uncommitted = 0;
    for (let i = Math.max(leader.commit, leader.log.firstIndex - 1) + 1; i <= leader.log.lastIndex; i++) {
      if (leader.log.entryAt(i)?.type === 'config') uncommitted++;
    }
    if (uncommitted > 1) this.fail(`leader ${leader.id} has ${uncommitted} uncommitted config entries`);
    const index = leader.log.lastConfigIndex;
    if (index > leader.log.firstIndex && !isSingleServerChange(leader.membershipAt(index - 1), leader.membershipAt(index))) {
      this.fail(`leader ${leader.id}: config at ${index} is not a single-server change`);
    }
  }

  /**
   * Log matching: same index and term means the same entry and the same history before it (as
   * far as both logs still hold entries; older ones are in snapshots, checked when restored).
   */
  private checkLogMatching(): void {
    const live = this.ids.map((id) => this.nodes.get(id)).filter((n): n is RaftNode => !!n);
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const [x, y] = [live[a].log, live[b].log];
        const first = Math.max(x.firstIndex, y.firstIndex);
        let match = 0;
        for (let i = Math.min(x.lastIndex, y.lastIndex); i >= first; i--) {
          if (x.termAt(i) === y.termAt(i)) {
            match = i;
            break;
          }
        }
        for (let i = first; i <= match; i++) {
          const [ex, ey] = [x.entryAt(i) as Entry, y.entryAt(i) as Entry];
          if (ex.term !== ey.term || Buffer.compare(Buffer.from(ex.data), Buffer.from(ey.data)) !== 0) {
            this.fail(`log matching: nodes ${live[a].id} and ${live[b].id} agree at ${match} but differ at ${i}`);
          }
        }
      }
    }
  }

  private currentLeader(): RaftNode | undefined {
    const leaders = this.ids.map((id) => this.nodes.get(id)).filter((n): n is RaftNode => !!n && n.role === 'leader');
    return leaders.sort((a, b) => b.term - a.term)[0];
  }

  private pick<T>(items: T[]): T {
    return items[Math.floor(this.rng.next() * items.length)];
  }
}
