import { Command, Option } from 'commander';
import { Acks, COMPRESSIONS, Compression, acks, nonNegativeInteger, positiveInteger, throughput } from '../arguments';
import { CliError } from '../cli-errors';
import { GlobalOptions, requireTopic, withCluster } from '../cli-context';
import { print } from '../output';
import { runConsumerPerf } from '../../perf/consumer-perf';
import { PAYLOAD_HEADER_BYTES, runEndToEndLatency } from '../../perf/end-to-end-latency';
import { describeConsumerPerf, describeEndToEnd, describeProducerPerf } from '../../perf/perf-report';
import { ProgressLine, progressBar } from '../../perf/progress-line';
import { runProducerPerf } from '../../perf/producer-perf';

interface CommonOptions {
  topic: string;
  records: number;
  timeoutMs: number;
  json?: boolean;
}

const DEFAULT_TIMEOUT_MS = 300_000;

/** `tributary perf producer|consumer|e2e`: kafka-producer-perf-test, kafka-consumer-perf-test and EndToEndLatency. */
export function perfCommand(): Command {
  const perf = new Command('perf').description('throughput and latency tests in the spirit of Kafka perf tools');

  withCommonOptions(perf.command('producer').description('send records as fast as allowed; records/s, MB/s and send-to-ack latency percentiles'))
    .requiredOption('--record-size <bytes>', 'bytes of each record value', positiveInteger)
    .option('--throughput <n>', 'records per second at most (-1: no cap)', throughput, -1)
    .addOption(new Option('--acks <acks>', '0, 1 or all').argParser(acks).default(-1, 'all'))
    .option('--batch-size <bytes>', 'producer batch size', positiveInteger)
    .option('--linger-ms <ms>', 'producer linger', nonNegativeInteger)
    .addOption(new Option('--compression <codec>', 'batch compression').choices(COMPRESSIONS).default('none'))
    .action(async (options: CommonOptions & { recordSize: number; throughput: number; acks: Acks; batchSize?: number; lingerMs?: number; compression: Compression }, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ client }) => {
        await requireTopic(client, options.topic);
        const progress = new ProgressLine();
        const cpuBefore = process.cpuUsage();
        const result = await runProducerPerf(client, {
          ...options,
          onProgress: (p) => progress.update(() => `${progressBar(p.sent, options.records)} ${p.sent.toLocaleString('en-US')} sent, ${p.acknowledged.toLocaleString('en-US')} acknowledged, ${rate(p.acknowledged, p.elapsedMs)} records/s`),
        });
        progress.done();
        report(options, { ...result, ...resourcesSince(cpuBefore) }, describeProducerPerf(result), result.timedOut);
      });
    });

  withCommonOptions(perf.command('consumer').description('read records from the beginning; records/s and MB/s'))
    .option('--group <id>', 'consume as a member of this group (default: every partition, no group)')
    .action(async (options: CommonOptions & { group?: string }, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ client }) => {
        await requireTopic(client, options.topic);
        const progress = new ProgressLine();
        const cpuBefore = process.cpuUsage();
        const result = await runConsumerPerf(client, {
          ...options,
          groupId: options.group,
          onProgress: (p) => progress.update(() => `${progressBar(p.records, options.records)} ${p.records.toLocaleString('en-US')} consumed, ${rate(p.records, p.elapsedMs)} records/s`),
        });
        progress.done();
        report(options, { ...result, ...resourcesSince(cpuBefore) }, describeConsumerPerf(result), result.timedOut);
      });
    });

  withCommonOptions(perf.command('e2e').description('end-to-end latency: a paced producer and a consumer in one process'), 10_000)
    .option('--throughput <n>', 'records per second', positiveInteger, 10_000)
    .option('--record-size <bytes>', `bytes of each record value (at least ${PAYLOAD_HEADER_BYTES})`, positiveInteger, 100)
    .addOption(new Option('--acks <acks>', '0, 1 or all').argParser(acks).default(1))
    .option('--linger-ms <ms>', 'producer linger', nonNegativeInteger, 0)
    .option('--warmup-records <n>', 'records sent at the same pace before timing starts, not counted (default: one second worth)', nonNegativeInteger)
    .action(async (options: CommonOptions & { throughput: number; recordSize: number; acks: Acks; lingerMs: number; warmupRecords?: number }, command: Command) => {
      if (options.recordSize < PAYLOAD_HEADER_BYTES) throw new CliError(`--record-size must be at least ${PAYLOAD_HEADER_BYTES}: each record carries its send time and the run id`, 2);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ client }) => {
        await requireTopic(client, options.topic);
        const progress = new ProgressLine();
        const cpuBefore = process.cpuUsage();
        const result = await runEndToEndLatency(client, {
          ...options,
          onProgress: (p) => progress.update(() => `${progressBar(p.received, options.records)} ${p.sent.toLocaleString('en-US')} sent, ${p.received.toLocaleString('en-US')} received`),
        });
        progress.done();
        report(options, { ...result, ...resourcesSince(cpuBefore) }, describeEndToEnd(result, options.throughput), result.timedOut);
      });
    });

  return perf;
}

function withCommonOptions(command: Command, defaultRecords?: number): Command {
  return command
    .requiredOption('--topic <topic>', 'topic to use (it must exist)')
    .addOption(new Option('--records <n>', 'number of records').argParser(positiveInteger).makeOptionMandatory(defaultRecords === undefined).default(defaultRecords))
    .option('--timeout-ms <ms>', 'stop after this long whatever the count', positiveInteger, DEFAULT_TIMEOUT_MS)
    .option('--json', 'print the result as one JSON object (with the peak RSS of this process and the CPU time of the run)');
}

/** Prints the summary (or JSON); a run cut short by its timeout still prints, then fails. */
function report(options: CommonOptions, result: object, summary: string, timedOut: boolean): void {
  print(options.json ? JSON.stringify(result) : summary);
  if (timedOut) throw new CliError(`the run did not complete ${options.records} records within --timeout-ms ${options.timeoutMs}; the figures above cover what it did`);
}

/** This process's peak RSS so far, and the CPU it used during the run (start-up left out). */
function resourcesSince(cpuBefore: NodeJS.CpuUsage): { rssPeakMiB: number; cpuSeconds: number } {
  const cpu = process.cpuUsage(cpuBefore);
  return { rssPeakMiB: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function rate(records: number, elapsedMs: number): string {
  return elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs).toLocaleString('en-US') : '-';
}
