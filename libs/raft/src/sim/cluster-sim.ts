import { RaftNode } from '../core/raft-node';
import { Entry, HardState, Message, Rng, seededRng } from '../core/types';

/**
 * A whole Raft cluster in one process on a seeded PRNG: a network that loses, delays,
 * duplicates and reorders messages, partitions (symmetric, one-way, bridged), crashes that lose
 * everything not yet persisted, tick skew, and client proposals. Safety is checked after every
 * step; liveness once the faults stop. One seed replays exactly.
 */
export interface SimOptions {
  seed: number;
  nodes: number;
  /** Steps with faults, then steps to recover after healing. */
  faultySteps: number;
  recoverySteps: number;
}

export class SimFailure extends Error {
  constructor(
    readonly seed: number,
    readonly nodes: number,
    message: string,
  ) {
    super(`${message}\nreplay: node -r @swc-node/register libs/raft/src/sim/run.ts --seed ${seed} --nodes ${nodes}`);
  }
}

interface Disk {
  hardState: HardState;
  entries: Entry[];
}

interface InFlight {
  at: number;
  message: Message;
}

const ELECTION_TICK = 10;

export class ClusterSim {
  private readonly rng: Rng;
  private readonly ids: number[];
  private readonly nodes = new Map<number, RaftNode | null>();
  private readonly disks = new Map<number, Disk>();
  private readonly applied = new Map<number, string[]>();
  private network: InFlight[] = [];
  /** cut.has(`${a}>${b}`): messages from a to b are dropped */
  private cut = new Set<string>();
  private step = 0;
  private lossRate = 0;
  private dupRate = 0;
  private maxDelay = 1;
  /** index -> data of every entry some node applied (state machine safety) */
  private readonly committed = new Map<number, { term: number; data: string }>();
  private readonly leaders = new Map<number, number>();
  private proposalCount = 0;

  constructor(private readonly options: SimOptions) {
    this.rng = seededRng(options.seed);
    this.ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    for (const id of this.ids) {
      this.disks.set(id, { hardState: { term: 0, vote: null, commit: 0 }, entries: [] });
      this.applied.set(id, []);
      this.start(id);
    }
  }

  run(): { leaderChanges: number; applied: number } {
    this.lossRate = this.rng.next() * 0.3;
    this.dupRate = this.rng.next() * 0.1;
    this.maxDelay = 1 + Math.floor(this.rng.next() * 5);
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
      if (this.ids.every((id) => this.applied.get(id)?.includes(marker))) return { leaderChanges: this.leaders.size, applied: this.committed.size };
    }
    const states = this.ids.map((id) => {
      const n = this.nodes.get(id);
      return n ? `${id}:${n.role}@${n.term} last=${n.log.lastIndex} commit=${n.commit} leader=${n.leaderId}` : `${id}:down`;
    });
    throw new SimFailure(this.options.seed, this.options.nodes, `liveness: no convergence within ${this.options.recoverySteps} steps after healing [${states.join(', ')}]`);
  }

  private start(id: number): void {
    const disk = this.disks.get(id) as Disk;
    this.nodes.set(
      id,
      new RaftNode({
        id,
        voters: this.ids,
        electionTick: ELECTION_TICK,
        heartbeatTick: 1,
        rng: seededRng(this.options.seed * 31 + id * 7 + this.step),
        maxEntriesPerAppend: 8,
        persisted: { hardState: { ...disk.hardState }, entries: disk.entries.map((e) => ({ ...e })) },
      }),
    );
    // applied state is rebuilt by re-applying from the start after a restart
    this.applied.set(id, []);
  }

  private faults(): void {
    const roll = this.rng.next();
    if (roll < 0.03) {
      // crash a random node (it loses what it had not persisted)
      const id = this.pick(this.ids);
      this.nodes.set(id, null);
    } else if (roll < 0.08) {
      const down = this.ids.filter((id) => this.nodes.get(id) === null);
      if (down.length > 0) this.start(this.pick(down));
    } else if (roll < 0.11) {
      this.partition();
    } else if (roll < 0.13) {
      this.cut.clear();
    }
  }

  /** Symmetric split, one-way split, or a split with one bridge node that reaches both sides. */
  private partition(): void {
    this.cut.clear();
    const shape = this.rng.next();
    const side = new Set(this.ids.filter(() => this.rng.next() < 0.5));
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
      leader?.propose(new TextEncoder().encode(`cmd-${this.options.seed}-${this.proposalCount++}`));
    }
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
    this.checkSafety();
  }

  private handleReady(id: number): void {
    const node = this.nodes.get(id);
    if (!node || !node.hasReady()) return;
    const ready = node.ready();
    // 1. persist (entries replace the persisted suffix from their first index)
    const disk = this.disks.get(id) as Disk;
    if (ready.entries.length > 0) {
      disk.entries.length = ready.entries[0].index - 1;
      for (const e of ready.entries) disk.entries.push({ ...e });
    }
    if (ready.hardState) disk.hardState = { ...ready.hardState };
    // 2. send
    for (const message of ready.messages) {
      if (this.cut.has(`${message.from}>${message.to}`) || this.rng.next() < this.lossRate) continue;
      const copies = this.rng.next() < this.dupRate ? 2 : 1;
      for (let c = 0; c < copies; c++) this.network.push({ at: this.step + 1 + Math.floor(this.rng.next() * this.maxDelay), message });
    }
    // 3. apply, checking every node applies the same command at the same index
    const applied = this.applied.get(id) as string[];
    for (const entry of ready.committed) {
      const data = new TextDecoder().decode(entry.data);
      const seen = this.committed.get(entry.index);
      if (seen && (seen.term !== entry.term || seen.data !== data)) {
        throw new SimFailure(this.options.seed, this.options.nodes, `state machine safety: node ${id} applied "${data}"@${entry.term} at ${entry.index}, another applied "${seen.data}"@${seen.term}`);
      }
      this.committed.set(entry.index, { term: entry.term, data });
      if (entry.index !== applied.length + 1) throw new SimFailure(this.options.seed, this.options.nodes, `node ${id} applied index ${entry.index} after ${applied.length}`);
      applied.push(data);
    }
    node.advance(ready);
  }

  private checkSafety(): void {
    for (const id of this.ids) {
      const node = this.nodes.get(id);
      if (!node || node.role !== 'leader') continue;
      // election safety: one leader per term
      const known = this.leaders.get(node.term);
      if (known !== undefined && known !== id) throw new SimFailure(this.options.seed, this.options.nodes, `election safety: nodes ${known} and ${id} both lead term ${node.term}`);
      if (known === undefined) {
        this.leaders.set(node.term, id);
        // leader completeness: a new leader holds every entry committed before its term
        for (const [index, entry] of this.committed) {
          if (entry.term < node.term && node.log.termAt(index) !== entry.term) {
            throw new SimFailure(this.options.seed, this.options.nodes, `leader completeness: leader ${id} of term ${node.term} lacks committed entry ${index}@${entry.term}`);
          }
        }
      }
    }
    if (this.step % 10 === 0) this.checkLogMatching();
  }

  /** Log matching: same index and term means the same entry and the same history before it. */
  private checkLogMatching(): void {
    const live = this.ids.map((id) => this.nodes.get(id)).filter((n): n is RaftNode => !!n);
    for (let a = 0; a < live.length; a++) {
      for (let b = a + 1; b < live.length; b++) {
        const last = Math.min(live[a].log.lastIndex, live[b].log.lastIndex);
        let match = 0;
        for (let i = last; i >= 1; i--) {
          if (live[a].log.termAt(i) === live[b].log.termAt(i)) {
            match = i;
            break;
          }
        }
        for (let i = 1; i <= match; i++) {
          const [x] = live[a].log.slice(i, i + 1);
          const [y] = live[b].log.slice(i, i + 1);
          if (x.term !== y.term || Buffer.compare(Buffer.from(x.data), Buffer.from(y.data)) !== 0) {
            throw new SimFailure(this.options.seed, this.options.nodes, `log matching: nodes ${live[a].id} and ${live[b].id} agree at ${match} but differ at ${i}`);
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
