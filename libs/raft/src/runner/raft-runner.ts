import { RaftNode, RaftNodeConfig } from '../core/raft-node';
import { Entry, Message } from '../core/types';
import { RaftStorage } from '../storage/raft-storage';

export interface RaftTransport {
  send(message: Message): void;
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
  private readonly leaderListeners: ((leaderId: number | null) => void)[] = [];
  private lastLeader: number | null = null;
  private appliedIndex = 0;

  constructor(
    config: Omit<RaftNodeConfig, 'persisted'>,
    private readonly storage: RaftStorage,
    private readonly transport: RaftTransport,
    private readonly tickMs: number,
  ) {
    this.node = new RaftNode({ ...config, persisted: { hardState: storage.hardState, entries: storage.entries() } });
  }

  get applied(): number {
    return this.appliedIndex;
  }

  onApply(listener: (entry: Entry) => Promise<void>): void {
    this.applyListeners.push(listener);
  }

  onLeaderChange(listener: (leaderId: number | null) => void): void {
    this.leaderListeners.push(listener);
  }

  start(): void {
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

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.storage.close();
  }

  private process(): void {
    if (this.processing) {
      this.again = true;
      return;
    }
    this.processing = true;
    void this.drain().finally(() => {
      this.processing = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.process();
      }
    });
  }

  private async drain(): Promise<void> {
    // bounded: each pass handles one Ready; new work re-triggers process()
    for (let pass = 0; pass < 100 && !this.stopped && this.node.hasReady(); pass++) {
      const ready = this.node.ready();
      await this.storage.save(ready);
      if (this.stopped) return;
      for (const message of ready.messages) this.transport.send(message);
      for (const entry of ready.committed) {
        for (const listener of this.applyListeners) await listener(entry);
        this.appliedIndex = entry.index;
      }
      this.node.advance(ready);
      this.notifyLeader();
    }
    this.notifyLeader();
  }

  private notifyLeader(): void {
    if (this.node.leaderId !== this.lastLeader) {
      this.lastLeader = this.node.leaderId;
      for (const listener of this.leaderListeners) listener(this.lastLeader);
    }
  }
}
