import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { ClusterClient, Producer, ProducerRecord, RecordMetadata } from '@tributary/client';
import { Acks, COMPRESSIONS, Compression, acks, keyValue, nonNegativeInteger } from '../arguments';
import { CliError } from '../cli-errors';
import { GlobalOptions, requireTopic, withCluster } from '../cli-context';
import { print } from '../output';

interface ProduceOptions {
  file?: string;
  keySeparator?: string;
  header?: Record<string, string>;
  partition?: number;
  acks: Acks;
  compression: Compression;
}

/** send() calls awaiting their acknowledgement; past this, reading the input pauses. */
const MAX_PENDING_SENDS = 64;
/** Lines handed to one send() call at most (lines read together go together). */
const MAX_RECORDS_PER_SEND = 10_000;

/** `tributary produce TOPIC`: one record per input line. */
export function produceCommand(): Command {
  return new Command('produce')
    .description('write one record per line of stdin (or of --file) to a topic')
    .argument('<topic>', 'topic name')
    .option('--file <path>', 'read the lines from this file instead of stdin')
    .option('--key-separator <sep>', 'split each line at the first <sep> into key and value')
    .option('--header <key=value>', 'a header on every record (repeatable)', keyValue)
    .option('--partition <n>', 'write every record to this partition (default: by key, or sticky batches without keys)', nonNegativeInteger)
    .addOption(new Option('--acks <acks>', 'acknowledgement: 0 (none), 1 (leader), all (in-sync replicas)').argParser(acks).default(-1, 'all'))
    .addOption(new Option('--compression <codec>', 'batch compression').choices(COMPRESSIONS).default('none'))
    .addHelpText('after', '\nExample:\n  printf "user-1:signed up\\nuser-2:paid\\n" | tributary produce events --key-separator :')
    .action(async (topic: string, options: ProduceOptions, command: Command) => {
      if (options.file !== undefined && !fs.existsSync(options.file)) throw new CliError(`--file ${options.file} does not exist`, 2);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ client }) => {
        const { partitions } = await requireTopic(client, topic);
        if (options.partition !== undefined && options.partition >= partitions) {
          throw new CliError(`topic ${topic} has partitions 0 to ${partitions - 1}; there is no partition ${options.partition}`, 2);
        }
        const input = options.file !== undefined ? fs.createReadStream(options.file) : process.stdin;
        if (options.file === undefined && process.stdin.isTTY) process.stderr.write('type one record per line; Ctrl-D sends and ends\n');
        const summary = await produceLines(client, topic, input, options);
        print(summary.describe(topic, options.acks));
      });
    });
}

/** What a produce run wrote: the record count and each partition's last offset. */
class ProduceSummary {
  count = 0;
  readonly lastOffsets = new Map<number, number>();

  add(results: RecordMetadata[]): void {
    this.count += results.length;
    for (const r of results) if (r.offset > (this.lastOffsets.get(r.partition) ?? -1)) this.lastOffsets.set(r.partition, r.offset);
  }

  describe(topic: string, acknowledgement: Acks): string {
    const head = `produced ${this.count} record${this.count === 1 ? '' : 's'} to topic ${topic}`;
    if (this.count === 0) return head;
    if (acknowledgement === 0) return `${head} (acks=0: the broker reports no offsets)`;
    const offsets = [...this.lastOffsets].sort(([a], [b]) => a - b).map(([partition, offset]) => `partition ${partition} at ${offset}`);
    return `${head}; last offsets: ${offsets.join(', ')}`;
  }
}

/**
 * Reads lines and sends them in the batches they arrive in (one send() per burst of lines), with
 * a bounded number of sends awaiting acknowledgement. Ctrl-C ends the input: what was read is sent.
 */
async function produceLines(client: ClusterClient, topic: string, input: Readable, options: ProduceOptions): Promise<ProduceSummary> {
  const producer = new Producer(client, { acks: options.acks, compression: options.compression });
  const summary = new ProduceSummary();
  const toRecord = recordParser(options);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const endInput = () => lines.close();
  process.once('SIGINT', endInput);
  try {
    await new Promise<void>((resolve, reject) => {
      let failure: unknown = null;
      let lineNumber = 0;
      let batch: ProducerRecord[] = [];
      let flushScheduled = false;
      let pendingSends = 0;
      let inputEnded = false;
      const fail = (error: unknown) => {
        failure ??= error;
        lines.close();
      };
      const settleIfDone = () => {
        if (!inputEnded || pendingSends > 0 || batch.length > 0) return;
        if (failure) reject(failure);
        else resolve();
      };
      const flush = () => {
        flushScheduled = false;
        const records = batch;
        batch = [];
        if (records.length > 0 && !failure) {
          pendingSends++;
          if (pendingSends >= MAX_PENDING_SENDS) lines.pause();
          producer
            .send(topic, records)
            .then((results) => summary.add(results), fail)
            .finally(() => {
              pendingSends--;
              if (!inputEnded && pendingSends < MAX_PENDING_SENDS) lines.resume();
              settleIfDone();
            });
        }
        settleIfDone();
      };
      lines.on('line', (line) => {
        if (failure) return;
        lineNumber++;
        try {
          batch.push(toRecord(line, lineNumber));
        } catch (error) {
          flush(); // the lines before the bad one go out, as the message says
          fail(error);
          return;
        }
        if (batch.length >= MAX_RECORDS_PER_SEND) flush();
        else if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
      lines.on('close', () => {
        inputEnded = true;
        flush();
      });
      input.on('error', (error) => fail(new CliError(`cannot read the input: ${error.message}`)));
    });
  } finally {
    process.removeListener('SIGINT', endInput);
    await producer.close().catch(() => undefined);
  }
  return summary;
}

function recordParser(options: ProduceOptions): (line: string, lineNumber: number) => ProducerRecord {
  const common = { headers: options.header, partition: options.partition };
  const separator = options.keySeparator;
  if (separator === undefined || separator === '') return (line) => ({ value: line, ...common });
  return (line, lineNumber) => {
    const at = line.indexOf(separator);
    if (at < 0) throw new CliError(`line ${lineNumber} has no key separator "${separator}"; every line needs key${separator}value (the lines before it were sent)`);
    return { key: line.slice(0, at), value: line.slice(at + separator.length), ...common };
  };
}
