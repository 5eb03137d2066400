import { Attributes, Counter, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import type { LogManager } from '@tributary/log-engine';
import { apiDeclarations, MetadataImage } from '@tributary/protocol';
import type { GroupCoordinator } from '../groups/group-coordinator';
import type { ReplicaManager } from '../replica/replica-manager';

/** Consumer-group lag series reported per scrape at most (group x topic x partition). */
export const MAX_GROUP_LAG_SERIES = 1_000;

/** Request latency buckets (ms): sub-millisecond appends up to long-poll fetches. */
const REQUEST_DURATION_BUCKETS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** What the gauges read at scrape time. */
export interface BrokerMetricSources {
  replicas: ReplicaManager;
  groups: GroupCoordinator;
  logs: LogManager;
  image(): MetadataImage;
}

/** Sums of one topic's traffic since the broker started. */
interface TopicTotals {
  readonly attributes: Attributes;
  bytesIn: number;
  recordsIn: number;
  bytesOut: number;
  recordsOut: number;
}

/**
 * The broker's metrics, Kafka's BrokerTopicMetrics / RequestMetrics / ReplicaManager figures
 * under OpenTelemetry names. Traffic counters are sums kept here and reported by observable
 * counters when scraped: a synchronous OTel instrument hashes its attributes (keys sorted, JSON)
 * on every call, and at thousands of requests a second that garbage was a tenth of the broker's
 * allocations. Request durations go to a histogram, once per request. Gauges are computed when
 * scraped, never kept.
 */
export class BrokerMetrics {
  private readonly requestDuration: Histogram;
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;
  /** Requests answered and the attributes of their series, per API key. */
  private readonly requests = new Map<number, { readonly attributes: Attributes; count: number }>();
  private readonly topics = new Map<string, TopicTotals>();
  private sources: BrokerMetricSources | null = null;

  constructor(private readonly meter: Meter) {
    const topicCounter = (name: string, description: string, unit: string | undefined, read: (totals: TopicTotals) => number) =>
      meter.createObservableCounter(name, { description, unit }).addCallback((result) => {
        this.forgetDeletedTopics();
        for (const totals of this.topics.values()) result.observe(read(totals), totals.attributes);
      });
    topicCounter('tributary.broker.topic.bytes.in', 'Record batch bytes appended by producers, per topic', 'By', (t) => t.bytesIn);
    topicCounter('tributary.broker.topic.records.in', 'Records appended by producers, per topic (from batch headers)', undefined, (t) => t.recordsIn);
    topicCounter('tributary.broker.topic.bytes.out', 'Record batch bytes sent to consumers, per topic (replication excluded)', 'By', (t) => t.bytesOut);
    topicCounter('tributary.broker.topic.records.out', 'Records sent to consumers, per topic (whole batches; replication excluded)', undefined, (t) => t.recordsOut);
    meter.createObservableCounter('tributary.broker.requests', { description: 'Kafka requests answered, per API' }).addCallback((result) => {
      for (const { attributes, count } of this.requests.values()) result.observe(count, attributes);
    });
    this.requestDuration = meter.createHistogram('tributary.broker.request.duration_ms', {
      unit: 'ms',
      description: 'Time from a decoded request to its encoded response, per API (fetch includes its long-poll wait)',
      advice: { explicitBucketBoundaries: REQUEST_DURATION_BUCKETS_MS },
    });
    this.isrShrinks = meter.createCounter('tributary.broker.isr.shrinks', { description: 'ISR shrinks committed by the controller for partitions this broker leads' });
    this.isrExpands = meter.createCounter('tributary.broker.isr.expands', { description: 'ISR expands committed by the controller for partitions this broker leads' });
  }

  /** One answered request of `apiKey`. */
  request(apiKey: number, durationMs: number): void {
    let api = this.requests.get(apiKey);
    if (!api) this.requests.set(apiKey, (api = { attributes: { api: apiDeclarations(apiKey)?.name ?? String(apiKey) }, count: 0 }));
    api.count++;
    this.requestDuration.record(durationMs, api.attributes);
  }

  /** A partition's batches appended by a producer. */
  produced(topic: string, bytes: number, records: number): void {
    const totals = this.totalsOf(topic);
    totals.bytesIn += bytes;
    totals.recordsIn += records;
  }

  /** A partition's batches sent to a consumer. */
  consumed(topic: string, bytes: number, records: number): void {
    const totals = this.totalsOf(topic);
    totals.bytesOut += bytes;
    totals.recordsOut += records;
  }

  /** The controller accepted an ISR change of a partition this broker leads. */
  isrChanged(sizeBefore: number, sizeAfter: number): void {
    if (sizeAfter < sizeBefore) this.isrShrinks.add(1);
    else if (sizeAfter > sizeBefore) this.isrExpands.add(1);
  }

  /** Gauges computed at scrape time from the broker's live state. */
  observe(sources: BrokerMetricSources): void {
    this.sources = sources;
    const meter = this.meter;
    const purgatory = meter.createObservableGauge('tributary.broker.purgatory.size', { description: 'Requests waiting in a purgatory (produce: acks=all; fetch: long polls)' });
    purgatory.addCallback((result) => {
      const sizes = sources.replicas.purgatorySizes;
      result.observe(sizes.produce, { purgatory: 'produce' });
      result.observe(sizes.fetch, { purgatory: 'fetch' });
    });
    meter.createObservableGauge('tributary.broker.partitions.under_replicated', { description: 'Partitions this broker leads whose ISR is smaller than their replica set' }).addCallback((result) => {
      let count = 0;
      for (const partition of sources.replicas.allPartitions()) {
        const state = partition.leaderAndIsr;
        if (partition.isLeader && state && state.isr.length < state.replicas.length) count++;
      }
      result.observe(count);
    });
    meter.createObservableGauge('tributary.broker.partitions.offline', { description: 'Partitions of the cluster without a leader, as this broker\'s metadata image shows them' }).addCallback((result) => {
      let count = 0;
      for (const topic of sources.image().topicsById.values()) for (const partition of topic.partitions.values()) if (partition.leader < 0) count++;
      result.observe(count);
    });
    meter.createObservableGauge('tributary.broker.partitions.leader', { description: 'Partitions this broker leads' }).addCallback((result) => {
      let count = 0;
      for (const partition of sources.replicas.allPartitions()) if (partition.isLeader) count++;
      result.observe(count);
    });
    meter.createObservableGauge('tributary.broker.log.cleaner.uncleanable.partitions', { description: 'Compacted partitions whose last clean failed, set aside until a retry (Kafka: uncleanable-partitions-count)' }).addCallback((result) => {
      result.observe(sources.logs.uncleanablePartitions().length);
    });
    meter.createObservableGauge('tributary.broker.group.lag', { description: `Records between a group's committed offset and the high watermark, for groups coordinated and partitions led here (at most ${MAX_GROUP_LAG_SERIES} series)` }).addCallback((result) => observeGroupLag(sources, result));
  }

  /** A deleted topic's series go with it (at scrape time, once observe() has the metadata). */
  private forgetDeletedTopics(): void {
    const image = this.sources?.image();
    if (image) for (const topic of this.topics.keys()) if (!image.topicByName(topic)) this.topics.delete(topic);
  }

  private totalsOf(topic: string): TopicTotals {
    let totals = this.topics.get(topic);
    if (!totals) this.topics.set(topic, (totals = { attributes: { topic }, bytesIn: 0, recordsIn: 0, bytesOut: 0, recordsOut: 0 }));
    return totals;
  }
}

function observeGroupLag(sources: BrokerMetricSources, result: ObservableResult): void {
  let series = 0;
  for (const { groupId } of sources.groups.listGroups()) {
    const committed = sources.groups.fetchOffsets(groupId, null);
    if (committed.errorCode !== 0) continue;
    for (const topic of committed.topics) {
      for (const { partition, offset } of topic.partitions) {
        if (offset < 0) continue;
        const replica = sources.replicas.getPartition(topic.name, partition);
        if (!replica?.isLeader) continue; // only the leader knows the high watermark
        result.observe(Math.max(0, replica.highWatermark - offset), { group: groupId, topic: topic.name, partition });
        if (++series >= MAX_GROUP_LAG_SERIES) return;
      }
    }
  }
}
