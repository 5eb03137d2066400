/**
 * Child process of the log-engine benchmark: appends to an existing log, checkpoints the
 * recovery point every `checkpointMs` (as the broker's scheduler would), prints "ready" once it
 * has written for a while, and waits to be SIGKILLed.
 */
import { PartitionLog, encodeBatch } from '@tributary/log-engine';

const [dir, mbArg, checkpointMsArg] = process.argv.slice(2);
const log = PartitionLog.open(dir);
const batch = encodeBatch(Array.from({ length: 160 }, (_, i) => ({ value: Buffer.alloc(100, i) })));
const targetBytes = Number(mbArg) * 2 ** 20;
let written = 0;
let lastCheckpoint = Date.now();
while (written < targetBytes) {
  log.appendAsLeader(batch, 0);
  written += batch.length;
  if (Date.now() - lastCheckpoint >= Number(checkpointMsArg)) {
    void log.flush();
    log.checkpointRecoveryPoint();
    lastCheckpoint = Date.now();
  }
}
process.stdout.write(`ready ${log.logEndOffset} recovery-point ${log.recoveryPoint}\n`);
setInterval(() => undefined, 1000);
