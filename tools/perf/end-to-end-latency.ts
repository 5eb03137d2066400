import { randomInt } from 'node:crypto';
import { Admin, ClusterClient, Consumer, Producer, ProducerRecord } from '@tributary/client';
import { LatencyHistogram, LatencySummary } from './latency-histogram';
import { settledWithin, sleep } from './timing';

export interface EndToEndOptions {
  topic: string;
  records: number;
  /** Records per second the producer is paced to. */
  throughput: number;
  /** At least PAYLOAD_HEADER_BYTES: the send time and the run id ride in the value. */
  recordSize: number;
  acks: -1 | 0 | 1;
  /** The producer's linger; 0 sends every record at once (what a latency-sensitive producer does). */
  lingerMs?: number;
  /** Records sent at the same pace before timing starts, not counted (JIT, buffers, fetch sessions warm): default 1 s worth. */
  warmupRecords?: number;
  /** Give up after this long; the summary covers what arrived. */
  timeoutMs: number;
  onProgress?: (progress: EndToEndProgress) => void;
}

export interface EndToEndProgress {
  sent: number;
  received: number;
  elapsedMs: number;
}

export interface EndToEndResult {
  sent: number;
  received: number;
  /** Records sent and received before timing started (not in `sent` or the latency). */
  warmupRecords: number;
  seconds: number;
  /** From the producer's send() to the consumer's handler, same process and clock. */
  latency: LatencySummary;
  timedOut: boolean;
}

/** Send time (float64, performance.now() of this process), then the run id (uint32). */
export const PAYLOAD_HEADER_BYTES = 12;
/** How long the records still in flight after the last send may take to arrive. */
const DRAIN_MS = 10_000;
const WARM_UP_MS = 10_000;
const STOP_GRACE_MS = 10_000;

/**
 * Kafka's EndToEndLatency in the spirit of its perf tools: a producer paced to `throughput` and a
 * consumer at the end of every partition, in one process; each record carries its send time, so
 * its latency is read off the clock when the consumer hands it over. A first record is sent and
 * awaited, then warmupRecords at the same pace (a second's worth by default), before timing starts,
 * so connections, metadata and a cold JIT are not counted: the figure is the steady state, as the
 * OpenMessaging Benchmark's warm-up phase has it.
 */
export async function runEndToEndLatency(client: ClusterClient, options: EndToEndOptions): Promise<EndToEndResult> {
  if (!Number.isSafeInteger(options.records) || options.records <= 0) throw new RangeError('records must be a positive integer');
  if (!(options.throughput > 0)) throw new RangeError('throughput must be > 0 records per second');
  if (options.recordSize < PAYLOAD_HEADER_BYTES) throw new RangeError(`recordSize must be at least ${PAYLOAD_HEADER_BYTES} bytes (the send time and run id ride in the value)`);
  const runId = randomInt(2 ** 32);
  // warm-up records carry another id: theirs arrive without being timed, whenever they arrive
  const warmUpId = (runId + 1) % 2 ** 32;
  const warmupRecords = options.warmupRecords ?? Math.ceil(options.throughput);
  const ends = await new Admin(client).listOffsets(options.topic, 'latest');
  const consumer = new Consumer(client, { maxWaitMs: 100 });
  consumer.assign(ends.map((e) => ({ topic: options.topic, partition: e.partition, offset: e.offset })));
  const producer = new Producer(client, { acks: options.acks, lingerMs: options.lingerMs ?? 0 });

  const latency = new LatencyHistogram();
  let measuring = false;
  let received = 0;
  let warmedUpReceived = 0;
  let sent = 0;
  let failure: unknown = null;
  let wake: () => void = () => undefined;
  const running = consumer.run({
    eachBatch: (batch) => {
      const now = performance.now();
      let ours = 0;
      for (const record of batch.records) {
        const value = record.value;
        // records of other writers (or runs) on the same topic are not ours to time
        if (value === null || value.length < PAYLOAD_HEADER_BYTES) continue;
        const id = value.readUInt32LE(8);
        if (id === warmUpId) warmedUpReceived++;
        if (id !== runId) continue;
        ours++;
        if (measuring) latency.record(Math.max(0, now - value.readDoubleLE(0)));
      }
      if (measuring) received += ours;
      if (ours > 0 || warmedUpReceived > 0) wake();
    },
  });
  const record = (id = runId): ProducerRecord => {
    const value = Buffer.alloc(options.recordSize);
    value.writeDoubleLE(performance.now(), 0);
    value.writeUInt32LE(id, 8);
    return { value };
  };
  const onSendError = (error: unknown) => {
    failure ??= error;
    wake();
  };

  const start = performance.now();
  const deadline = start + options.timeoutMs;
  let timedOut = false;
  /** Sends `count` warm-up records at the run's pace (bounded by count and the deadline). */
  const pace = async (count: number, id: number): Promise<void> => {
    const begun = performance.now();
    for (let done = 0; done < count && failure === null && performance.now() < deadline; ) {
      const due = Math.min(count, Math.floor(((performance.now() - begun) * options.throughput) / 1000) + 1);
      if (due > done) {
        producer.send(options.topic, Array.from({ length: due - done }, () => record(id))).catch(onSendError);
        done = due;
      }
      await sleep(Math.max(0, ((done + 1) * 1000) / options.throughput - (performance.now() - begun)));
    }
  };
  try {
    // warm-up: one record through, not counted
    const warmedUp = new Promise<void>((resolve) => (wake = resolve));
    producer.send(options.topic, record()).catch(onSendError);
    if (!(await settledWithin(warmedUp, Math.min(WARM_UP_MS, options.timeoutMs)))) throw new Error(`the warm-up record did not arrive within ${Math.min(WARM_UP_MS, options.timeoutMs)} ms`);
    if (failure !== null) throw failure;
    await pace(warmupRecords, warmUpId);
    measuring = true;
    const paceStart = performance.now();
    // bounded: every pass sends the records due by now, and `sent` reaches `records` within records/throughput seconds
    while (sent < options.records && failure === null) {
      if (performance.now() >= deadline) {
        timedOut = true;
        break;
      }
      const due = Math.min(options.records, Math.floor(((performance.now() - paceStart) * options.throughput) / 1000) + 1);
      if (due > sent) {
        const batch = Array.from({ length: due - sent }, () => record());
        sent = due;
        producer.send(options.topic, batch).catch(onSendError);
      }
      options.onProgress?.({ sent, received, elapsedMs: performance.now() - start });
      await sleep(Math.max(0, ((sent + 1) * 1000) / options.throughput - (performance.now() - paceStart)));
    }
    const drainUntil = Math.min(deadline, performance.now() + DRAIN_MS);
    while (received < sent && failure === null && performance.now() < drainUntil) {
      await settledWithin(new Promise<void>((resolve) => (wake = resolve)), drainUntil - performance.now());
      options.onProgress?.({ sent, received, elapsedMs: performance.now() - start });
    }
    if (received < sent) timedOut = true;
  } finally {
    await settledWithin(producer.close(), STOP_GRACE_MS);
    if (await settledWithin(consumer.stop(), STOP_GRACE_MS)) await running;
  }
  if (failure !== null) throw failure;
  return { sent, received, warmupRecords, seconds: (performance.now() - start) / 1000, latency: latency.summary(), timedOut };
}
