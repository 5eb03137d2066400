import { Attributes, Counter, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { apiDeclarations, MetadataImage } from '@tributary/protocol';
import type { GroupCoordinator } from '../groups/group-coordinator';
import type { ReplicaManager } from '../replica/replica-manager';

/** Consumer-group lag series reported per scrape at most (group x topic x partition). */
export const MAX_GROUP_LAG_SERIES = 1_000;

/** Topics whose attribute object is kept for reuse. */
const MAX_CACHED_TOPIC_ATTRIBUTES = 10_000;

/** Request latency buckets (ms): sub-millisecond appends up to long-poll fetches. */
const REQUEST_DURATION_BUCKETS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** What the gauges read at scrape time. */
export interface BrokerMetricSources {
  replicas: ReplicaManager;
  groups: GroupCoordinator;
  image(): MetadataImage;
}

/**
 * The broker's metrics, Kafka's BrokerTopicMetrics / RequestMetrics / ReplicaManager figures
 * under OpenTelemetry names. Counters move once per request or per partition of a request
 * (record counts come from batch headers); gauges are computed when scraped, never kept.
 */
export class BrokerMetrics {
  private readonly bytesIn: Counter;
  private readonly recordsIn: Counter;
  private readonly bytesOut: Counter;
  private readonly recordsOut: Counter;
  private readonly requests: Counter;
  private readonly requestDuration: Histogram;
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;
  /** One attribute object per API key and per topic, so recording allocates nothing. */
  private readonly apiAttributes = new Map<number, Attributes>();
  private readonly topicAttributes = new Map<string, Attributes>();

  constructor(private readonly meter: Meter) {
    this.bytesIn = meter.createCounter('tributary.broker.topic.bytes.in', { unit: 'By', description: 'Record batch bytes appended by producers, per topic' });
    this.recordsIn = meter.createCounter('tributary.broker.topic.records.in', { description: 'Records appended by producers, per topic (from batch headers)' });
    this.bytesOut = meter.createCounter('tributary.broker.topic.bytes.out', { unit: 'By', description: 'Record batch bytes sent to consumers, per topic (replication excluded)' });
    this.recordsOut = meter.createCounter('tributary.broker.topic.records.out', { description: 'Records sent to consumers, per topic (whole batches; replication excluded)' });
    this.requests = meter.createCounter('tributary.broker.requests', { description: 'Kafka requests answered, per API' });
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
    const attributes = this.apiAttributesOf(apiKey);
    this.requests.add(1, attributes);
    this.requestDuration.record(durationMs, attributes);
  }

  /** A partition's batches appended by a producer. */
  produced(topic: string, bytes: number, records: number): void {
    const attributes = this.topicAttributesOf(topic);
    this.bytesIn.add(bytes, attributes);
    this.recordsIn.add(records, attributes);
  }

  /** A partition's batches sent to a consumer. */
  consumed(topic: string, bytes: number, records: number): void {
    const attributes = this.topicAttributesOf(topic);
    this.bytesOut.add(bytes, attributes);
    this.recordsOut.add(records, attributes);
  }

  /** The controller accepted an ISR change of a partition this broker leads. */
  isrChanged(sizeBefore: number, sizeAfter: number): void {
    if (sizeAfter < sizeBefore) this.isrShrinks.add(1);
    else if (sizeAfter > sizeBefore) this.isrExpands.add(1);
  }

  /** Gauges computed at scrape time from the broker's live state. */
  observe(sources: BrokerMetricSources): void {
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
    meter.createObservableGauge('tributary.broker.group.lag', { description: `Records between a group's committed offset and the high watermark, for groups coordinated and partitions led here (at most ${MAX_GROUP_LAG_SERIES} series)` }).addCallback((result) => observeGroupLag(sources, result));
  }

  private apiAttributesOf(apiKey: number): Attributes {
    let attributes = this.apiAttributes.get(apiKey);
    if (!attributes) this.apiAttributes.set(apiKey, (attributes = { api: apiDeclarations(apiKey)?.name ?? String(apiKey) }));
    return attributes;
  }

  private topicAttributesOf(topic: string): Attributes {
    let attributes = this.topicAttributes.get(topic);
    if (!attributes) {
      attributes = { topic };
      // deleted topics leave their entry behind: past the bound, new topics allocate per call instead
      if (this.topicAttributes.size < MAX_CACHED_TOPIC_ATTRIBUTES) this.topicAttributes.set(topic, attributes);
    }
    return attributes;
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
