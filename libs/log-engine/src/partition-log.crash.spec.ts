import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { validateBatch } from './batch-header';
import { PartitionLog } from './partition-log';
import { decodeRecords } from './records';
import { expectedValue } from './testing/crash-writer';
import { tempDir } from './testing/temp-dir';

const ROOT = path.resolve(__dirname, '../../..');
const WRITER = path.join(__dirname, 'testing/crash-writer.ts');

/** Runs the writer until `killAfterAcks` acknowledgements arrive (or it ends), then SIGKILLs it. */
function runAndKill(dir: string, killAfterAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './tools/scripts/register.js', WRITER, dir, '7'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAck = -1;
    let acks = 0;
    let buffered = '';
    let stderr = '';
    const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('ack ')) continue;
        lastAck = Number(line.slice(4));
        if (++acks === killAfterAcks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timeout);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed: ${stderr}`));
      else resolve(lastAck);
    });
  });
}

describe('PartitionLog crash safety (SIGKILL)', () => {
  it('keeps every acknowledged record, byte for byte, with a clean tail, across repeated kills', async () => {
    const { dir, cleanup } = tempDir();
    const logDir = path.join(dir, 'crash-0');
    try {
      let acknowledged = -1;
      for (let round = 0; round < 4; round++) {
        const killAfter = 20 + Math.floor(Math.random() * 200);
        acknowledged = Math.max(acknowledged, await runAndKill(logDir, killAfter));
        const log = PartitionLog.open(logDir, { config: { segmentBytes: 64 * 1024 } });
        try {
          expect(log.recovery.cleanShutdown).toBe(false);
          expect(log.logEndOffset).toBeGreaterThan(acknowledged);
          let offset = 0;
          for (let guard = 0; offset < log.logEndOffset && guard < 100_000; guard++) {
            const bytes = log.read(offset, 256 * 1024).records;
            for (let pos = 0; pos < bytes.length; ) {
              const header = validateBatch(bytes, pos, 1 << 20); // never a corrupt batch
              for (const record of decodeRecords(bytes, pos)) {
                expect(record.offset).toBe(offset);
                expect(record.value?.toString()).toBe(expectedValue(offset));
                offset++;
              }
              pos += header.sizeInBytes;
            }
          }
          expect(offset).toBe(log.logEndOffset);
        } finally {
          log.close();
        }
      }
    } finally {
      cleanup();
    }
  }, 90_000);
});
