/**
 * kafkajs as the reference client of the client benchmark, run in its own process as our perf
 * tools are: `kafkajs-perf.ts produce|consume BOOTSTRAP TOPIC RECORDS TIMEOUT_MS` prints one JSON
 * object (records/s, peak RSS, CPU seconds of the run) and exits. Same workload as ours: 100-byte values,
 * acks=1, no compression; the consumer reads from the beginning as a new group.
 */
import { Kafka, logLevel } from 'kafkajs';
import { randomPayload } from '../../perf/producer-perf';

const RECORD_BYTES = 100;
/** Messages per send() and sends in flight: kafkajs turns each send() into one Produce request. */
const MESSAGES_PER_SEND = 1_000;
const SENDS_IN_FLIGHT = 8;
/** The same fetch sizes as our consumer's defaults. */
const MAX_BYTES = 50 * 1024 * 1024;
const MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;

interface Figures {
  records: number;
  recordsPerSec: number;
  timedOut: boolean;
}

async function produce(kafka: Kafka, topic: string, records: number, timeoutMs: number): Promise<Figures> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
  await producer.connect();
  const value = randomPayload(RECORD_BYTES);
  const messages = Array.from({ length: MESSAGES_PER_SEND }, () => ({ value }));
  const inFlight = new Set<Promise<unknown>>();
  let sent = 0;
  const start = performance.now();
  const deadline = start + timeoutMs;
  // bounded: `sent` grows by up to MESSAGES_PER_SEND per pass until `records` or the deadline
  while (sent < records && performance.now() < deadline) {
    const count = Math.min(MESSAGES_PER_SEND, records - sent);
    const send: Promise<unknown> = producer.send({ topic, acks: 1, messages: count === MESSAGES_PER_SEND ? messages : messages.slice(0, count) }).finally(() => inFlight.delete(send));
    inFlight.add(send);
    sent += count;
    if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return { records: sent, recordsPerSec: sent / seconds, timedOut: sent < records };
}

/** Measured from the first batch to the last, as our consumer's steady rate is (kafkajs always joins a group first). */
async function consume(kafka: Kafka, topic: string, records: number, timeoutMs: number): Promise<Figures> {
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${process.pid}-${Date.now()}`, maxBytes: MAX_BYTES, maxBytesPerPartition: MAX_BYTES_PER_PARTITION });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let firstBatch = 0;
  let firstMs = -1;
  let lastMs = -1;
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(resolve, timeoutMs);
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (count >= records) return;
          const now = performance.now();
          if (firstMs < 0) {
            firstMs = now;
            firstBatch = batch.messages.length;
          }
          lastMs = now;
          count += batch.messages.length;
          if (count >= records) resolve();
        },
      })
      .catch(reject);
  });
  clearTimeout(timer);
  await consumer.disconnect();
  const seconds = (lastMs - firstMs) / 1000;
  return { records: count, recordsPerSec: seconds > 0 ? (count - firstBatch) / seconds : 0, timedOut: count < records };
}

async function main(): Promise<void> {
  const [mode, bootstrap, topic, recordsText, timeoutText] = process.argv.slice(2);
  const records = Number(recordsText);
  const timeoutMs = Number(timeoutText);
  if ((mode !== 'produce' && mode !== 'consume') || !bootstrap || !topic || !(records > 0) || !(timeoutMs > 0)) {
    throw new Error('usage: kafkajs-perf.ts produce|consume BOOTSTRAP TOPIC RECORDS TIMEOUT_MS');
  }
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const cpuBefore = process.cpuUsage();
  const figures = mode === 'produce' ? await produce(kafka, topic, records, timeoutMs) : await consume(kafka, topic, records, timeoutMs);
  const cpu = process.cpuUsage(cpuBefore);
  // as `tributary perf --json` reports: peak RSS of the process, CPU of the run alone
  process.stdout.write(`${JSON.stringify({ ...figures, rssPeakMiB: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
