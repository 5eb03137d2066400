/**
 * Child process for the crash test: appends batches whose record values name their own offset,
 * waits for each group commit, and prints every acknowledged (fsync'ed) last offset on stdout.
 * The parent SIGKILLs it at a random moment.
 */
import { PartitionLog } from '../partition-log';
import { encodeBatch } from '../records';

const [dir, batchSizeArg] = process.argv.slice(2);
const recordsPerBatch = Number(batchSizeArg ?? 10);

async function main(): Promise<void> {
  const log = PartitionLog.open(dir, { config: { segmentBytes: 64 * 1024, flushMs: 5 } });
  process.stdout.write(`open ${log.logEndOffset}\n`);
  for (let round = 0; round < 1_000_000; round++) {
    const pending: Promise<void>[] = [];
    let last = log.logEndOffset;
    // several appends share one fsync (group commit), then all of them are acknowledged
    for (let k = 0; k < 4; k++) {
      const info = log.appendAsLeader(encodeBatch(Array.from({ length: recordsPerBatch }, (_, i) => ({ key: String(last + i), value: expectedValue(last + i) }))), 0);
      last = info.lastOffset + 1;
      pending.push(log.flush(info.lastOffset + 1));
    }
    await Promise.all(pending);
    process.stdout.write(`ack ${last - 1}\n`);
  }
}

export function expectedValue(offset: number): string {
  return `record-${offset}-${'x'.repeat(offset % 50)}`;
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(String(error) + '\n');
    process.exit(1);
  });
}
