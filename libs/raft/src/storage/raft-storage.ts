import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog, decodeRecords, encodeBatch, readHeader } from '@tributary/log-engine';
import { Entry, HardState, Ready } from '../core/types';

const HARD_STATE_FILE = 'raft-hard-state.json';

/**
 * Raft's durable state on libs/log-engine: entries are record batches (offset = index - 1, the
 * batch's leader epoch = the entry's term, the record value = the data), and the hard state is a
 * small file replaced atomically. `save` returns only once both are fsync'ed: the runner sends
 * messages after it (persist, then send).
 */
export class RaftStorage {
  private constructor(
    private readonly dir: string,
    private readonly log: PartitionLog,
    public hardState: HardState,
  ) {}

  static open(dir: string): RaftStorage {
    fs.mkdirSync(dir, { recursive: true });
    const log = PartitionLog.open(path.join(dir, '__raft_log-0'), { config: { segmentBytes: 64 * 1024 * 1024, retentionMs: -1 } });
    let hardState: HardState = { term: 0, vote: null, commit: 0 };
    try {
      hardState = JSON.parse(fs.readFileSync(path.join(dir, HARD_STATE_FILE), 'utf8')) as HardState;
    } catch {
      // a node that never persisted a hard state starts at term 0
    }
    return new RaftStorage(dir, log, hardState);
  }

  /** Every persisted entry, in index order. */
  entries(): Entry[] {
    const out: Entry[] = [];
    for (let offset = this.log.logStartOffset; offset < this.log.logEndOffset; ) {
      const { records } = this.log.read(offset, 4 * 1024 * 1024);
      if (records.length === 0) break;
      for (let pos = 0; pos < records.length; ) {
        const header = readHeader(records, pos);
        const term = records.readInt32BE(pos + 12);
        for (const record of decodeRecords(records, pos)) out.push({ index: record.offset + 1, term, data: new Uint8Array(record.value ?? Buffer.alloc(0)) });
        offset = header.lastOffset + 1;
        pos += header.sizeInBytes;
      }
    }
    return out;
  }

  async save(ready: Ready): Promise<void> {
    if (ready.entries.length > 0) {
      const first = ready.entries[0].index;
      if (first - 1 < this.log.logEndOffset) this.log.truncateTo(first - 1);
      const batches = ready.entries.map((e) => encodeBatch([{ value: Buffer.from(e.data) }], { baseOffset: e.index - 1, partitionLeaderEpoch: e.term, timestamp: 0 }));
      this.log.appendAsFollower(Buffer.concat(batches));
      await this.log.flush();
    }
    if (ready.hardState) {
      const file = path.join(this.dir, HARD_STATE_FILE);
      const fd = fs.openSync(`${file}.tmp`, 'w');
      fs.writeSync(fd, JSON.stringify(ready.hardState));
      fs.fdatasyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(`${file}.tmp`, file);
      const dirFd = fs.openSync(this.dir, 'r');
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
      this.hardState = ready.hardState;
    }
  }

  close(): void {
    this.log.close();
  }
}
