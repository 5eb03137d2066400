import { readCheckpoint, writeCheckpoint } from './checkpoint';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/**
 * Leader epoch -> first offset written in that epoch (Kafka's leader-epoch-checkpoint). Followers
 * use it through OffsetForLeaderEpoch to find where their log diverges from the leader's.
 */
export class LeaderEpochCache {
  private entries: EpochEntry[];

  constructor(private readonly file: string) {
    this.entries = (readCheckpoint(file) ?? [])
      .map((line) => line.split(' ').map(Number))
      .filter(([epoch, offset]) => Number.isInteger(epoch) && Number.isInteger(offset))
      .map(([epoch, startOffset]) => ({ epoch, startOffset }));
  }

  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? -1;
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Records that `epoch` starts at `startOffset`; older or equal epochs are ignored. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || epoch <= this.latestEpoch) return;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].startOffset >= startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.persist();
  }

  /**
   * Kafka's endOffsetFor: the largest epoch <= `requestedEpoch` and the offset where the next
   * epoch starts (or the log end offset for the latest epoch). {-1,-1} when unknown.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let index = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].epoch <= requestedEpoch) {
        index = i;
        break;
      }
    }
    if (index < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[index + 1];
    return { epoch: this.entries[index].epoch, endOffset: next ? next.startOffset : logEndOffset };
  }

  /** After truncating the log to `offset`, forget epochs that start at or after it. */
  truncateFromEnd(offset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < offset);
    if (this.entries.length !== before) this.persist();
  }

  /** After the log start moves to `offset`, the earliest kept epoch starts there. */
  truncateFromStart(offset: number): void {
    const kept = this.entries.filter((_entry, i) => (this.entries[i + 1]?.startOffset ?? Infinity) > offset);
    if (kept.length > 0 && kept[0].startOffset < offset) kept[0] = { epoch: kept[0].epoch, startOffset: offset };
    this.entries = kept;
    this.persist();
  }

  clear(): void {
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    writeCheckpoint(this.file, this.entries.map((e) => `${e.epoch} ${e.startOffset}`));
  }
}
