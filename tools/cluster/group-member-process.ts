/**
 * One cooperative-sticky group member in a process of its own, so that a test can freeze it
 * (SIGSTOP) past its session timeout and thaw it (SIGCONT): the coordinator then expires it for
 * real while it still believes it owns its partitions.
 *
 * Usage: node -r ./tools/scripts/register.js group-member-process.ts <bootstrap> <group> <topic> <sessionTimeoutMs>
 * Prints one JSON line per event on stdout: {"kind":"assigned"|"revoked"|"lost","partitions":[...]},
 * {"kind":"record","at":"partition@offset"}, then {"kind":"stopped"} after SIGTERM (stop() commits
 * and leaves the group, then the process exits 0).
 */
import { ClusterClient, Consumer, TopicPartitionRef } from '@tributary/client';

export type MemberReport = { kind: 'assigned' | 'revoked' | 'lost'; partitions: number[] } | { kind: 'record'; at: string } | { kind: 'stopped' };

function report(line: MemberReport): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const [bootstrap, groupId, topic, sessionTimeout] = process.argv.slice(2);
  const sessionTimeoutMs = Number(sessionTimeout);
  if (!bootstrap || !groupId || !topic || !Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs <= 0) {
    process.stderr.write('usage: group-member-process.ts <bootstrap> <group> <topic> <sessionTimeoutMs>\n');
    process.exit(2);
  }
  const client = new ClusterClient({ brokers: bootstrap.split(','), clientId: `member-${process.pid}` });
  const consumer = new Consumer(client, { groupId, assignors: ['cooperative-sticky'], fromBeginning: true, autoCommitIntervalMs: 200, sessionTimeoutMs, heartbeatIntervalMs: 200, maxWaitMs: 100 });
  const note = (kind: 'assigned' | 'revoked' | 'lost') => (partitions: TopicPartitionRef[]) => report({ kind, partitions: partitions.map((p) => p.partition).sort((a, b) => a - b) });
  consumer.subscribe([topic], { onPartitionsAssigned: note('assigned'), onPartitionsRevoked: note('revoked'), onPartitionsLost: note('lost') });
  const running = consumer.run({ eachRecord: (r) => report({ kind: 'record', at: `${r.partition}@${r.offset}` }) });
  process.once('SIGTERM', () => {
    void (async () => {
      await consumer.stop();
      await running.catch(() => undefined);
      await client.close();
      report({ kind: 'stopped' });
      process.exit(0);
    })();
  });
  await running;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
