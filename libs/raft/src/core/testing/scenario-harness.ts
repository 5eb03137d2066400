import { RaftNode, RaftNodeConfig } from '../raft-node';
import { Entry, HardState, Message, ReadOutcome, Snapshot, seededRng } from '../types';

/** What a node persisted: the harness keeps it across restarts. */
export interface HarnessDisk {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

/**
 * Hand-driven scenarios for the classic traps. A tiny harness: every node's Ready is handled at
 * once (persist to its disk, queue the messages, apply), and the test decides which messages are
 * delivered. Every Ready is recorded, so a test can look at what a node sent or installed.
 */
export class Harness {
  readonly nodes = new Map<number, RaftNode>();
  readonly disks = new Map<number, HarnessDisk>();
  /** Per node: snapshots installed from a leader, then the entries applied after them. */
  readonly installed = new Map<number, Snapshot[]>();
  readonly applied = new Map<number, Entry[]>();
  /** Per node: the index its state machine has reached. */
  readonly appliedIndex = new Map<number, number>();
  /** Per node: read outcomes, with the index applied when each was answered. */
  readonly reads = new Map<number, (ReadOutcome & { appliedIndex: number })[]>();
  /** Every message any node sent, delivered or not. */
  readonly sent: Message[] = [];
  queue: Message[] = [];

  constructor(
    /** The bootstrap membership: every node starts from it. */
    readonly voters: number[],
    states: Record<number, { hardState: HardState; entries: Entry[]; snapshot?: Snapshot | null }> = {},
    private readonly options: Partial<Pick<RaftNodeConfig, 'maxEntriesPerAppend' | 'maxSnapshotChunkBytes'>> & {
      /** Nodes that run from the start without being members (to be added later). */
      joining?: number[];
    } = {},
  ) {
    for (const id of [...voters, ...(options.joining ?? [])]) {
      const state = states[id];
      this.disks.set(id, { hardState: state?.hardState ?? { term: 0, vote: null, commit: 0 }, snapshot: state?.snapshot ?? null, entries: state?.entries ?? [] });
      this.start(id);
    }
  }

  node(id: number): RaftNode {
    return this.nodes.get(id) as RaftNode;
  }

  /** (Re)starts `id` from its disk: whatever it had not persisted is gone. */
  start(id: number): RaftNode {
    const disk = this.disks.get(id) as HarnessDisk;
    const node = new RaftNode({
      id,
      voters: this.voters,
      electionTick: 10,
      heartbeatTick: 1,
      rng: seededRng(id),
      maxEntriesPerAppend: this.options.maxEntriesPerAppend ?? 8,
      maxSnapshotChunkBytes: this.options.maxSnapshotChunkBytes,
      persisted: { hardState: disk.hardState, snapshot: disk.snapshot, entries: [...disk.entries] },
    });
    this.nodes.set(id, node);
    this.installed.set(id, []);
    this.applied.set(id, []);
    this.appliedIndex.set(id, disk.snapshot?.meta.index ?? 0);
    this.reads.set(id, []);
    return node;
  }

  crash(id: number): void {
    this.nodes.delete(id);
    this.queue = this.queue.filter((m) => m.to !== id && m.from !== id);
  }

  /** Handles every node's Ready (persist, queue messages, apply). */
  flush(): void {
    for (const [id, node] of this.nodes) {
      if (!node.hasReady()) continue;
      const ready = node.ready();
      const disk = this.disks.get(id) as HarnessDisk;
      if (ready.snapshot) {
        disk.snapshot = ready.snapshot;
        disk.entries = [];
        this.installed.get(id)?.push(ready.snapshot);
      }
      if (ready.entries.length > 0) disk.entries = [...disk.entries.filter((e) => e.index < ready.entries[0].index), ...ready.entries];
      if (ready.hardState) disk.hardState = ready.hardState;
      this.queue.push(...ready.messages);
      this.sent.push(...ready.messages);
      this.applied.get(id)?.push(...ready.committed);
      const appliedIndex = ready.committed.at(-1)?.index ?? ready.snapshot?.meta.index ?? (this.appliedIndex.get(id) as number);
      this.appliedIndex.set(id, appliedIndex);
      this.reads.get(id)?.push(...ready.reads.map((read) => ({ ...read, appliedIndex })));
      node.advance(ready);
    }
  }

  /** Delivers queued messages matching `accept` (dropping the rest) until the network is quiet. */
  deliver(accept: (m: Message) => boolean = () => true, rounds = 50): void {
    for (let round = 0; round < rounds; round++) {
      this.flush();
      const batch = this.queue;
      this.queue = [];
      if (batch.length === 0) return;
      for (const m of batch) if (accept(m)) this.nodes.get(m.to)?.step(m);
    }
  }

  /** Ticks every running node once, then delivers among `reachable` (all by default). */
  tick(reachable?: number[]): void {
    for (const node of this.nodes.values()) node.tick();
    this.deliver((m) => !reachable || (reachable.includes(m.from) && reachable.includes(m.to)), 5);
  }

  /** Ticks `id` until it campaigns (pre-vote then vote), delivering only among `reachable`. */
  elect(id: number, reachable: number[]): void {
    const node = this.node(id);
    for (let t = 0; t < 200 && node.role !== 'leader'; t++) {
      node.tick();
      this.deliver((m) => reachable.includes(m.from) && reachable.includes(m.to), 5);
    }
    if (node.role !== 'leader') throw new Error(`node ${id} did not win an election among ${reachable.join(',')}`);
  }

  /** The application's side of a snapshot: its state is the data of every entry it applied. */
  compact(id: number): Snapshot {
    const node = this.node(id);
    const applied = this.applied.get(id) as Entry[];
    const last = applied.at(-1) as Entry;
    const snapshot: Snapshot = {
      meta: { index: last.index, term: last.term, membership: node.membershipAt(last.index) },
      data: new TextEncoder().encode(applied.map((e) => new TextDecoder().decode(e.data)).join('|')),
    };
    const disk = this.disks.get(id) as HarnessDisk;
    disk.snapshot = snapshot;
    disk.entries = disk.entries.filter((e) => e.index > last.index);
    node.compact(snapshot);
    return snapshot;
  }
}

export const entry = (index: number, term: number, data = `${index}@${term}`): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(data) });

export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
