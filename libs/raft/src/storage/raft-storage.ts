import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog, decodeRecords, encodeBatch, readHeader } from '@tributary/log-engine';
import { Entry, HardState, Ready, Snapshot, SnapshotMeta } from '../core/types';

const HARD_STATE_FILE = 'raft-hard-state.json';
const SNAPSHOT_FILE = 'raft-snapshot';
/** Snapshot file: this magic, the meta's JSON length (uint32 BE), the meta as JSON, the data. */
const SNAPSHOT_MAGIC = Buffer.from('TRBSNAP1');
/** The record key of a config entry (a normal entry's record has no key). */
const CONFIG_KEY = 'raft.config';
/** Bytes read from the log per call while loading entries. */
const READ_BYTES = 4 * 1024 * 1024;

export class RaftStorageCorruptError extends Error {}

/**
 * Raft's durable state on libs/log-engine: entries are record batches (offset = index - 1, the
 * batch's leader epoch = the entry's term, the record value = the data, a config entry's record
 * keyed "raft.config"), the hard state is a
 * small file replaced atomically, and the latest snapshot is a file replaced atomically, after
 * which the log start offset moves past the entries it covers. `save` returns only once the
 * entries, term and vote are fsync'ed: the runner sends messages after it (persist, then send).
 */
export class RaftStorage {
  /** The commit index in the hard-state file (it may lag hardState.commit: see save). */
  private writtenCommit: number;

  private constructor(
    private readonly dir: string,
    private readonly log: PartitionLog,
    public hardState: HardState,
    public snapshot: Snapshot | null,
  ) {
    this.writtenCommit = hardState.commit;
  }

  static open(dir: string): RaftStorage {
    fs.mkdirSync(dir, { recursive: true });
    const log = PartitionLog.open(path.join(dir, '__raft_log-0'), { config: { segmentBytes: 64 * 1024 * 1024, retentionMs: -1 } });
    let hardState: HardState = { term: 0, vote: null, commit: 0 };
    try {
      hardState = JSON.parse(fs.readFileSync(path.join(dir, HARD_STATE_FILE), 'utf8')) as HardState;
    } catch {
      // a node that never persisted a hard state starts at term 0
    }
    const storage = new RaftStorage(dir, log, hardState, readSnapshot(path.join(dir, SNAPSHOT_FILE)));
    storage.reconcileLogWithSnapshot();
    return storage;
  }

  /** Every persisted entry after the snapshot, in index order. */
  entries(): Entry[] {
    return this.readEntries(this.log.logStartOffset + 1);
  }

  async save(ready: Ready): Promise<void> {
    if (ready.snapshot) {
      // a leader's snapshot replaces the whole log (the core installs one only when its log does not reach it)
      this.writeSnapshot(ready.snapshot);
      this.log.truncateFullyAndStartAt(ready.snapshot.meta.index);
    }
    if (ready.entries.length > 0) {
      const first = ready.entries[0].index;
      if (first - 1 < this.log.logEndOffset) this.log.truncateTo(first - 1);
      const batches = ready.entries.map((e) =>
        encodeBatch([{ key: e.type === 'config' ? CONFIG_KEY : null, value: Buffer.from(e.data) }], { baseOffset: e.index - 1, partitionLeaderEpoch: e.term, timestamp: 0 }),
      );
      this.log.appendAsFollower(Buffer.concat(batches));
      await this.log.flush();
    }
    if (ready.hardState) {
      // term and vote must be durable before any message leaves; the commit index need not be (a
      // restarted node relearns it from the leader, or alone by committing its next entry): a
      // commit-only change waits for the next term or vote change, or close(). Writing it each time
      // cost two fsyncs per commit on every node, about half of a commit's latency.
      if (ready.hardState.term !== this.hardState.term || ready.hardState.vote !== this.hardState.vote) this.writeHardState(ready.hardState);
      this.hardState = ready.hardState;
    }
  }

  private writeHardState(hardState: HardState): void {
    writeFileDurably(path.join(this.dir, HARD_STATE_FILE), Buffer.from(JSON.stringify(hardState)));
    this.writtenCommit = hardState.commit;
  }

  /**
   * The application's snapshot of applied (so persisted) entries: written durably first, then the
   * log prefix it covers is deleted. A crash in between leaves entries that open() trims.
   */
  saveSnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index <= (this.snapshot?.meta.index ?? 0)) return;
    this.writeSnapshot(snapshot);
    this.log.advanceLogStartOffset(snapshot.meta.index);
  }

  /** A clean stop keeps the latest commit index, so a restart applies everything at once. */
  close(): void {
    if (this.hardState.commit !== this.writtenCommit) this.writeHardState(this.hardState);
    this.log.close();
  }

  private writeSnapshot(snapshot: Snapshot): void {
    const meta = Buffer.from(JSON.stringify(snapshot.meta));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(meta.length);
    writeFileDurably(path.join(this.dir, SNAPSHOT_FILE), Buffer.concat([SNAPSHOT_MAGIC, length, meta, snapshot.data]));
    this.snapshot = snapshot;
  }

  /**
   * The log must start right after the snapshot. After a crash between writing a snapshot and
   * trimming the log, the log still holds covered entries: they are dropped, and so is the whole
   * log when it disagrees with the snapshot's last entry (an installed snapshot replaces it).
   */
  private reconcileLogWithSnapshot(): void {
    const snapshotIndex = this.snapshot?.meta.index ?? 0;
    const firstIndex = this.log.logStartOffset + 1;
    if (firstIndex > snapshotIndex + 1) {
      throw new RaftStorageCorruptError(`the raft log starts at ${firstIndex} but the snapshot ends at ${snapshotIndex}`);
    }
    if (firstIndex === snapshotIndex + 1 || !this.snapshot) return;
    const [last] = snapshotIndex - 1 < this.log.logEndOffset ? this.readEntries(snapshotIndex, 1) : [];
    if (last?.index === snapshotIndex && last.term === this.snapshot.meta.term) this.log.advanceLogStartOffset(snapshotIndex);
    else this.log.truncateFullyAndStartAt(snapshotIndex);
  }

  private readEntries(fromIndex: number, maxEntries = Infinity): Entry[] {
    const out: Entry[] = [];
    for (let offset = fromIndex - 1; offset < this.log.logEndOffset && out.length < maxEntries; ) {
      const { records } = this.log.read(offset, READ_BYTES);
      if (records.length === 0) break;
      for (let pos = 0; pos < records.length && out.length < maxEntries; ) {
        const header = readHeader(records, pos);
        const term = records.readInt32BE(pos + 12);
        for (const record of decodeRecords(records, pos)) {
          if (record.offset < fromIndex - 1) continue;
          const type = record.key?.toString() === CONFIG_KEY ? 'config' : 'normal';
          out.push({ index: record.offset + 1, term, type, data: new Uint8Array(record.value ?? Buffer.alloc(0)) });
        }
        offset = header.lastOffset + 1;
        pos += header.sizeInBytes;
      }
    }
    return out.slice(0, maxEntries);
  }
}

function readSnapshot(file: string): Snapshot | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (bytes.length < SNAPSHOT_MAGIC.length + 4 || !bytes.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) {
    throw new RaftStorageCorruptError(`${file} is not a raft snapshot`);
  }
  const metaLength = bytes.readUInt32BE(SNAPSHOT_MAGIC.length);
  const metaStart = SNAPSHOT_MAGIC.length + 4;
  const meta = JSON.parse(bytes.subarray(metaStart, metaStart + metaLength).toString('utf8')) as SnapshotMeta;
  return { meta, data: new Uint8Array(bytes.subarray(metaStart + metaLength)) };
}

/** Replaces `file` atomically and durably: temp file, fsync, rename, fsync of the directory. */
function writeFileDurably(file: string, bytes: Buffer): void {
  const fd = fs.openSync(`${file}.tmp`, 'w');
  try {
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(`${file}.tmp`, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
