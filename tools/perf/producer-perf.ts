import { ClusterClient, Producer, ProducerOptions } from '@tributary/client';
import { LatencyHistogram, LatencySummary } from './latency-histogram';
import { settledWithin, sleep } from './timing';

export interface ProducerPerfOptions {
  topic: string;
  records: number;
  recordSize: number;
  /** Records per second at most; -1: as fast as the producer goes. */
  throughput: number;
  acks: -1 | 0 | 1;
  batchSize?: number;
  lingerMs?: number;
  compression?: ProducerOptions['compression'];
  /** Stop sending after this long (the summary then covers what was acknowledged). */
  timeoutMs: number;
  /** Records per send() call when the throughput is not capped. */
  recordsPerSend?: number;
  onProgress?: (progress: ProducerPerfProgress) => void;
}

export interface ProducerPerfProgress {
  sent: number;
  acknowledged: number;
  elapsedMs: number;
}

export interface ProducerPerfResult {
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** From each send() call to its acknowledgement, per record (Kafka's perf tool measures the same). */
  latency: LatencySummary;
  timedOut: boolean;
}

const DEFAULT_RECORDS_PER_SEND = 1_000;
/** Records sent but not acknowledged, at most, as a multiple of what the producer's buffer holds. */
const PENDING_PER_BUFFER = 1;
const PRODUCER_BUFFER_BYTES = 32 * 1024 * 1024;
/** A send() loop that never awaits would starve the sockets: it yields this often. */
const SENDS_PER_YIELD = 16;
/** After the last send (or the timeout), how long acknowledgements may still take. */
const FLUSH_GRACE_MS = 30_000;

/**
 * kafka-producer-perf-test for the native producer: `records` records of `recordSize` random
 * bytes, sent as fast as allowed (or paced to `throughput`), with the latency of each record from
 * send() to acknowledgement. Bounded by the record count and by `timeoutMs`.
 */
export async function runProducerPerf(client: ClusterClient, options: ProducerPerfOptions): Promise<ProducerPerfResult> {
  if (!Number.isSafeInteger(options.records) || options.records <= 0) throw new RangeError('records must be a positive integer');
  if (!Number.isSafeInteger(options.recordSize) || options.recordSize < 0) throw new RangeError('recordSize must be an integer >= 0');
  const producer = new Producer(client, {
    acks: options.acks,
    batchSize: options.batchSize,
    lingerMs: options.lingerMs,
    compression: options.compression,
    bufferMemory: PRODUCER_BUFFER_BYTES,
  });
  // one payload for every record, as Kafka's tool does: the producer copies it into its batches
  const record = { value: randomPayload(options.recordSize) };
  const capped = options.throughput > 0;
  // paced runs send about a millisecond's worth of records per call
  const perSend = capped ? Math.max(1, Math.min(DEFAULT_RECORDS_PER_SEND, Math.round(options.throughput / 1000))) : (options.recordsPerSend ?? DEFAULT_RECORDS_PER_SEND);
  const chunk = Array.from({ length: perSend }, () => record);
  const maxPending = Math.max(perSend, Math.floor((PENDING_PER_BUFFER * PRODUCER_BUFFER_BYTES) / Math.max(1, options.recordSize)));
  const latency = new LatencyHistogram();

  let sent = 0;
  let acknowledged = 0;
  let failure: unknown = null;
  let wakeSender: (() => void) | null = null;
  const start = performance.now();
  const deadline = start + options.timeoutMs;
  const elapsedMs = () => performance.now() - start;
  let timedOut = false;
  try {
    for (let sends = 1; sent < options.records && failure === null; sends++) {
      if (performance.now() >= deadline) {
        timedOut = true;
        break;
      }
      const count = Math.min(perSend, options.records - sent);
      const sentAt = performance.now();
      producer.send(options.topic, count === perSend ? chunk : chunk.slice(0, count)).then(
        () => {
          acknowledged += count;
          latency.record(performance.now() - sentAt, count);
          wakeSender?.();
        },
        (error: unknown) => {
          failure ??= error;
          wakeSender?.();
        },
      );
      sent += count;
      options.onProgress?.({ sent, acknowledged, elapsedMs: elapsedMs() });
      const aheadMs = capped ? (sent / options.throughput) * 1000 - elapsedMs() : 0;
      if (aheadMs >= 1) await sleep(aheadMs);
      else if (sent - acknowledged >= maxPending) await new Promise<void>((resolve) => (wakeSender = resolve));
      else if (sends % SENDS_PER_YIELD === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (!(await settledWithin(producer.flush(), FLUSH_GRACE_MS))) timedOut = true;
  } finally {
    wakeSender = null;
    await settledWithin(producer.close(), FLUSH_GRACE_MS);
  }
  if (failure !== null) throw failure;
  const seconds = elapsedMs() / 1000;
  const bytes = acknowledged * options.recordSize;
  return { records: acknowledged, bytes, seconds, recordsPerSec: acknowledged / seconds, mbPerSec: bytes / 2 ** 20 / seconds, latency: latency.summary(), timedOut };
}

/** Random letters, as kafka-producer-perf-test fills its payload. */
export function randomPayload(size: number): Buffer {
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  return payload;
}
