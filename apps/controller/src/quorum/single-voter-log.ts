import * as path from 'node:path';
import { PartitionLog, decodeRecords, encodeBatch, readHeader } from '@tributary/log-engine';
import { MetadataRecord } from '@tributary/protocol';
import { pack, unpack } from 'msgpackr';
import { LogEntry, QuorumLog } from './quorum-log';

/** Entries read per step when replaying or serving reads. */
const READ_BYTES = 4 * 1024 * 1024;

/**
 * The quorum of exactly one voter: an entry is committed once it is fsync'ed on this node's
 * metadata log (libs/log-engine). This is what Raft degenerates to with one voter; quorums of
 * three or five need libs/raft, and the controller refuses them until it is wired in.
 */
export class SingleVoterLog implements QuorumLog {
  private readonly log: PartitionLog;
  private committed: number;
  private readonly committedListeners: ((entry: LogEntry) => Promise<void>)[] = [];
  private readonly leaderListeners: ((leaderId: number | null) => void)[] = [];
  private appendChain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly nodeId: number,
    dataDir: string,
  ) {
    this.log = PartitionLog.open(path.join(dataDir, '__cluster_metadata-0'), { config: { segmentBytes: 64 * 1024 * 1024, retentionMs: -1 } });
    this.committed = this.log.logEndOffset - 1;
  }

  leaderId(): number | null {
    return this.nodeId;
  }

  isLeader(): boolean {
    return true;
  }

  /** Replays committed entries after `appliedOffset` to the listeners (state machine recovery). */
  async start(appliedOffset: number): Promise<void> {
    for (let from = Math.max(appliedOffset + 1, this.log.logStartOffset); from <= this.committed; ) {
      const entries = this.read(from, 1000);
      if (entries.length === 0) break;
      for (const entry of entries) await this.notify(entry);
      from = entries[entries.length - 1].offset + 1;
    }
    for (const listener of this.leaderListeners) listener(this.nodeId);
  }

  append(records: MetadataRecord[]): Promise<number> {
    const run = async () => {
      const info = this.log.appendAsLeader(encodeBatch([{ value: pack(records) }]), 0);
      await this.log.flush(info.lastOffset + 1);
      this.committed = info.lastOffset;
      await this.notify({ offset: info.lastOffset, records });
      return info.lastOffset;
    };
    // entries commit and apply in append order
    const next = this.appendChain.then(run, run);
    this.appendChain = next.catch(() => undefined);
    return next;
  }

  committedOffset(): number {
    return this.committed;
  }

  startOffset(): number {
    return this.log.logStartOffset;
  }

  read(fromOffset: number, maxEntries: number): LogEntry[] {
    if (fromOffset > this.committed) return [];
    const { records: bytes } = this.log.read(fromOffset, READ_BYTES, this.committed + 1);
    const entries: LogEntry[] = [];
    for (let position = 0; position < bytes.length && entries.length < maxEntries; ) {
      const header = readHeader(bytes, position);
      for (const record of decodeRecords(bytes, position)) {
        if (record.offset >= fromOffset && record.value) entries.push({ offset: record.offset, records: unpack(record.value) as MetadataRecord[] });
      }
      position += header.sizeInBytes;
    }
    return entries.slice(0, maxEntries);
  }

  onCommitted(listener: (entry: LogEntry) => Promise<void>): void {
    this.committedListeners.push(listener);
  }

  onLeaderChange(listener: (leaderId: number | null) => void): void {
    this.leaderListeners.push(listener);
  }

  close(): void {
    this.log.close();
  }

  private async notify(entry: LogEntry): Promise<void> {
    for (const listener of this.committedListeners) await listener(entry);
  }
}
