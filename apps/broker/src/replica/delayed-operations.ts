/**
 * Kafka's purgatory: requests that wait for a condition (acks=all produce waiting for the HW,
 * fetch waiting for min.bytes) keyed by partition, completed when that partition changes or
 * when their timeout fires, whichever comes first. Bounded: beyond `maxOperations` a new
 * operation is completed at once (it answers with what it has) instead of queued.
 */
export interface DelayedOperation {
  /** Tries to finish; returns true when it completed (and answered). */
  tryComplete(): boolean;
  /** The timeout fired first: answer with what is there. */
  onExpire(): void;
}

interface Entry {
  op: DelayedOperation;
  keys: string[];
  timer: NodeJS.Timeout;
  completed: boolean;
}

export class DelayedOperations {
  private readonly watchers = new Map<string, Set<Entry>>();
  private count = 0;

  constructor(
    readonly name: string,
    private readonly maxOperations: number,
  ) {}

  /** Operations waiting now (a metric: purgatory size). */
  get size(): number {
    return this.count;
  }

  /** Completes `op` now if it can; otherwise parks it under `keys` until a change or the timeout. */
  tryCompleteElseWatch(op: DelayedOperation, keys: string[], timeoutMs: number): void {
    if (op.tryComplete()) return;
    if (this.count >= this.maxOperations) {
      op.onExpire();
      return;
    }
    const entry: Entry = { op, keys, completed: false, timer: setTimeout(() => this.expire(entry), Math.max(0, timeoutMs)) };
    this.count++;
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (!set) this.watchers.set(key, (set = new Set()));
      set.add(entry);
    }
  }

  /** Something changed for `key`: give every operation watching it a chance to complete. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let completed = 0;
    for (const entry of [...set]) {
      if (entry.completed) continue;
      if (entry.op.tryComplete()) {
        this.finish(entry);
        completed++;
      }
    }
    return completed;
  }

  /** Expires everything now (shutdown). */
  expireAll(): void {
    const all = new Set<Entry>();
    for (const set of this.watchers.values()) for (const entry of set) all.add(entry);
    for (const entry of all) this.expire(entry);
  }

  private expire(entry: Entry): void {
    if (entry.completed) return;
    this.finish(entry);
    entry.op.onExpire();
  }

  private finish(entry: Entry): void {
    entry.completed = true;
    clearTimeout(entry.timer);
    this.count--;
    for (const key of entry.keys) {
      const set = this.watchers.get(key);
      set?.delete(entry);
      if (set?.size === 0) this.watchers.delete(key);
    }
  }
}
