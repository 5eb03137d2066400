import { ConsumerPerfResult } from './consumer-perf';
import { EndToEndResult } from './end-to-end-latency';
import { LatencySummary } from './latency-histogram';
import { ProducerPerfResult } from './producer-perf';

/** The perf tools' final summaries, one or two lines each, in the words of Kafka's tools. */

export function describeProducerPerf(result: ProducerPerfResult): string {
  return [
    `${count(result.records)} records sent in ${result.seconds.toFixed(2)} s: ${count(result.recordsPerSec)} records/s (${result.mbPerSec.toFixed(2)} MB/s)${result.timedOut ? ', stopped by the timeout' : ''}`,
    `latency (send to ack): ${latencyLine(result.latency)}`,
  ].join('\n');
}

export function describeConsumerPerf(result: ConsumerPerfResult): string {
  return [
    `${count(result.records)} records (${(result.bytes / 2 ** 20).toFixed(2)} MB) consumed in ${result.seconds.toFixed(2)} s: ${count(result.recordsPerSec)} records/s (${result.mbPerSec.toFixed(2)} MB/s)${result.timedOut ? ', stopped by the timeout' : ''}`,
    `first record after ${(result.secondsToFirstRecord * 1000).toFixed(1)} ms, then ${count(result.steadyRecordsPerSec)} records/s`,
  ].join('\n');
}

export function describeEndToEnd(result: EndToEndResult, throughput: number): string {
  return [
    `${count(result.received)} of ${count(result.sent)} records arrived, sent at ${count(throughput)} records/s after ${count(result.warmupRecords)} warm-up records${result.timedOut ? ', stopped by the timeout' : ''}`,
    `latency (send to consumer): ${latencyLine(result.latency)}`,
  ].join('\n');
}

function latencyLine(latency: LatencySummary): string {
  const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  return `avg ${ms(latency.meanMs)}, p50 ${ms(latency.p50Ms)}, p95 ${ms(latency.p95Ms)}, p99 ${ms(latency.p99Ms)}, p99.9 ${ms(latency.p999Ms)}, max ${ms(latency.maxMs)}`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
