import { ClusterClient, Consumer } from '@tributary/client';
import { settledWithin } from './timing';

export interface ConsumerPerfOptions {
  topic: string;
  /** Stop after this many records. */
  records: number;
  /** Consume as a member of this group (from its committed offsets, else the beginning); default: every partition from the beginning, no group. */
  groupId?: string;
  /** Stop after this long even when fewer records arrived. */
  timeoutMs: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  onProgress?: (progress: ConsumerPerfProgress) => void;
}

export interface ConsumerPerfProgress {
  records: number;
  elapsedMs: number;
}

export interface ConsumerPerfResult {
  records: number;
  /** Keys and values, as kafka-consumer-perf-test counts them. */
  bytes: number;
  /** From run() to the last record. */
  seconds: number;
  /** From run() to the first record: connections, group join, first fetch. */
  secondsToFirstRecord: number;
  /** Records per second from run() to the last record. */
  recordsPerSec: number;
  mbPerSec: number;
  /** Records per second from the first record to the last: the steady rate, without the start-up. */
  steadyRecordsPerSec: number;
  timedOut: boolean;
}

const STOP_GRACE_MS = 10_000;

/** kafka-consumer-perf-test for the native consumer: reads `records` records and measures the rate. */
export async function runConsumerPerf(client: ClusterClient, options: ConsumerPerfOptions): Promise<ConsumerPerfResult> {
  if (!Number.isSafeInteger(options.records) || options.records <= 0) throw new RangeError('records must be a positive integer');
  const consumer = new Consumer(client, {
    groupId: options.groupId,
    fromBeginning: true,
    autoCommit: options.groupId !== undefined,
    maxBytes: options.maxBytes,
    partitionMaxBytes: options.partitionMaxBytes,
  });
  if (options.groupId !== undefined) consumer.subscribe([options.topic]);
  else {
    const { partitions } = await client.topic(options.topic);
    consumer.assign(partitions.map((p) => ({ topic: options.topic, partition: p.partition })));
  }

  let records = 0;
  let bytes = 0;
  let firstMs = -1;
  let firstBatchRecords = 0;
  let lastMs = -1;
  let reachedCount: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (reachedCount = resolve));
  const start = performance.now();
  const running = consumer.run({
    eachBatch: (batch) => {
      if (records >= options.records) return;
      const now = performance.now();
      if (firstMs < 0) {
        firstMs = now;
        firstBatchRecords = batch.records.length;
      }
      lastMs = now;
      records += batch.records.length;
      for (const record of batch.records) bytes += (record.key?.length ?? 0) + (record.value?.length ?? 0);
      options.onProgress?.({ records, elapsedMs: now - start });
      if (records >= options.records) reachedCount();
    },
  });
  const finished = await settledWithin(Promise.race([reached, running]), options.timeoutMs);
  // a consumer that cannot stop in time is left behind (its client is closed by the caller)
  if (await settledWithin(consumer.stop(), STOP_GRACE_MS)) await running;
  const seconds = ((lastMs > 0 ? lastMs : performance.now()) - start) / 1000;
  const steadySeconds = (lastMs - firstMs) / 1000;
  return {
    records,
    bytes,
    seconds,
    secondsToFirstRecord: firstMs > 0 ? (firstMs - start) / 1000 : seconds,
    recordsPerSec: records / seconds,
    mbPerSec: bytes / 2 ** 20 / seconds,
    // the first batch arrived at firstMs: the steady rate counts only what came after it
    steadyRecordsPerSec: steadySeconds > 0 ? (records - firstBatchRecords) / steadySeconds : 0,
    timedOut: !finished || records < options.records,
  };
}
