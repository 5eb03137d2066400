import { once } from 'node:events';
import { Command, Option } from 'commander';
import { Admin, ClusterClient, ConsumedBatch, Consumer } from '@tributary/client';
import { ConsumedRecord } from '@tributary/protocol';
import { nonNegativeInteger, positiveInteger, startOffset, timestamp } from '../arguments';
import { CliError } from '../cli-errors';
import { GlobalOptions, requireTopic, withCluster } from '../cli-context';

interface ConsumeOptions {
  fromBeginning?: boolean;
  offset?: number | 'earliest' | 'latest';
  partition?: number;
  timestamp?: number;
  group?: string;
  format: 'value' | 'json';
  maxMessages?: number;
  idleTimeout?: number;
}

/** How often a group member commits what it has printed (besides once at the end). */
const COMMIT_INTERVAL_MS = 5_000;

/** `tributary consume TOPIC`: prints records as they arrive until a limit, idleness or Ctrl-C. */
export function consumeCommand(): Command {
  return new Command('consume')
    .description('print the records of a topic: values, or JSON lines with their metadata')
    .argument('<topic>', 'topic name')
    .addOption(new Option('--from-beginning', 'start at the oldest record (with --group: where the group has no committed offset)').conflicts(['offset', 'timestamp']))
    .addOption(new Option('--offset <n>', 'start at this offset (or earliest, latest) of --partition').argParser(startOffset).conflicts(['timestamp', 'group']))
    .addOption(new Option('--partition <n>', 'read only this partition').argParser(nonNegativeInteger).conflicts('group'))
    .addOption(new Option('--timestamp <time>', 'start at the first record at or after this time (ISO-8601 or epoch ms)').argParser(timestamp).conflicts('group'))
    .option('--group <id>', 'consume as a member of this consumer group and commit what was printed')
    .addOption(new Option('--format <format>', 'value: one value per line; json: one JSON object per record').choices(['value', 'json']).default('value'))
    .option('--max-messages <n>', 'exit after this many records', positiveInteger)
    .option('--idle-timeout <ms>', 'exit when no record arrives for this long', positiveInteger)
    .addHelpText('after', '\nExamples:\n  tributary consume events --from-beginning --max-messages 10\n  tributary consume events --group audit --format json\n  tributary consume events --partition 0 --offset 42')
    .action(async (topic: string, options: ConsumeOptions, command: Command) => {
      if (options.offset !== undefined && options.partition === undefined) throw new CliError('--offset needs --partition: an offset belongs to one partition', 2);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ client, admin }) => {
        const { partitions } = await requireTopic(client, topic);
        if (options.partition !== undefined && options.partition >= partitions) {
          throw new CliError(`topic ${topic} has partitions 0 to ${partitions - 1}; there is no partition ${options.partition}`, 2);
        }
        const consumed = await consume(client, admin, topic, partitions, options);
        process.stderr.write(`consumed ${consumed} record${consumed === 1 ? '' : 's'}\n`);
      });
    });
}

async function consume(client: ClusterClient, admin: Admin, topic: string, partitionCount: number, options: ConsumeOptions): Promise<number> {
  const groupId = options.group;
  const consumer = new Consumer(client, {
    groupId,
    // commits name exactly what was printed (a stop can fall inside a fetched batch)
    autoCommit: false,
    fromBeginning: options.fromBeginning === true || options.offset === 'earliest',
  });
  if (groupId !== undefined) consumer.subscribe([topic]);
  else consumer.assign(await startPositions(admin, topic, partitionCount, options));

  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let stopping = false;
  const stop = () => {
    stopping = true;
    stopRequested();
  };
  let idleTimer: NodeJS.Timeout | null = null;
  const restartIdleTimer = () => {
    if (options.idleTimeout === undefined) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(stop, options.idleTimeout);
  };
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    // the reader went away (`| head`): stop quietly
    if (error.code === 'EPIPE') stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onStdoutError);

  /** partition -> the offset after the last record printed */
  const nextOffsets = new Map<number, number>();
  /** partitions the consumer handed records of, printed or not */
  const delivered = new Set<number>();
  let lastCommitMs = Date.now();
  const commitPrinted = async () => {
    if (groupId === undefined) return;
    const offsets = new Map(nextOffsets);
    // an assigned partition nothing came from is committed at its start position, as Kafka's
    // consumer does, so the group shows its lag; one whose records were all skipped is left alone
    for (const { partition } of consumer.assignment()) {
      const start = consumer.position(topic, partition) ?? -1;
      if (!delivered.has(partition) && start >= 0) offsets.set(partition, start);
    }
    if (offsets.size === 0) return;
    await consumer.commit([...offsets].map(([partition, offset]) => ({ topic, partition, offset })));
    lastCommitMs = Date.now();
  };
  const format = options.format === 'json' ? (record: ConsumedRecord, partition: number) => jsonLine(topic, partition, record) : valueLine;
  let count = 0;
  const onBatch = async (batch: ConsumedBatch) => {
    delivered.add(batch.partition);
    if (stopping) return;
    let text = '';
    for (const record of batch.records) {
      if (options.maxMessages !== undefined && count >= options.maxMessages) break;
      text += `${format(record, batch.partition)}\n`;
      nextOffsets.set(batch.partition, record.offset + 1);
      count++;
    }
    if (text.length > 0) {
      restartIdleTimer();
      if (!process.stdout.write(text)) await Promise.race([once(process.stdout, 'drain'), stopped]);
    }
    if (options.maxMessages !== undefined && count >= options.maxMessages) stop();
    else if (Date.now() - lastCommitMs >= COMMIT_INTERVAL_MS) await commitPrinted().catch(() => undefined);
  };

  restartIdleTimer();
  const running = consumer.run({ eachBatch: onBatch });
  try {
    await Promise.race([stopped, running]);
    stopping = true;
    await commitPrinted().catch((error: unknown) => {
      throw new CliError(`printed ${count} records but could not commit their offsets for group ${groupId} (${error instanceof Error ? error.message : String(error)}); the next member of the group will see them again`);
    });
  } finally {
    if (idleTimer) clearTimeout(idleTimer);
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    process.stdout.removeListener('error', onStdoutError);
    await consumer.stop();
  }
  await running;
  return count;
}

/** Where each partition starts without a group: an offset, a time, the beginning or the end. */
async function startPositions(admin: Admin, topic: string, partitionCount: number, options: ConsumeOptions): Promise<{ topic: string; partition: number; offset?: number }[]> {
  const partitions = options.partition !== undefined ? [options.partition] : Array.from({ length: partitionCount }, (_, p) => p);
  if (typeof options.offset === 'number') return partitions.map((partition) => ({ topic, partition, offset: options.offset as number }));
  if (options.timestamp !== undefined) {
    const found = new Map((await admin.listOffsets(topic, { timestamp: options.timestamp })).map((o) => [o.partition, o.offset]));
    // no record at or after the time: start at the end, for records still to come
    return partitions.map((partition) => {
      const offset = found.get(partition) ?? -1;
      return offset >= 0 ? { topic, partition, offset } : { topic, partition };
    });
  }
  return partitions.map((partition) => ({ topic, partition }));
}

function text(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytes.toString('utf8');
}

function valueLine(record: ConsumedRecord): string {
  return text(record.value) ?? 'null';
}

function jsonLine(topic: string, partition: number, record: ConsumedRecord): string {
  const headers: Record<string, string | null> = {};
  for (const header of record.headers) headers[header.key] = text(header.value);
  return JSON.stringify({ topic, partition, offset: record.offset, timestamp: record.timestamp, key: text(record.key), value: text(record.value), headers });
}
