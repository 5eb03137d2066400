import { ConsumedBatch, Consumer, TopicPartitionOffset } from '@tributary/client';
import { ConsumedRecord } from '@tributary/protocol';
import { KafkaService } from '../cluster/kafka.service';
import { RecordFormat } from '../consume/consumed-record.schemas';
import { Principal } from '../auth/principal';

/** Records an instance holds between polls; above it, its partitions are paused (the bound is soft by the fetches already in flight). */
export const MAX_BUFFERED_RECORDS = 10_000;
/** Fetch size of an instance's consumer, which bounds what arrives after a pause. */
const FETCH_MAX_BYTES = 1024 * 1024;

export interface InstanceOptions {
  groupId: string;
  instanceId: string;
  owner: Principal;
  fromBeginning: boolean;
  autoCommit: boolean;
  format: RecordFormat;
}

export interface PolledRecord extends ConsumedRecord {
  topic: string;
  partition: number;
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * A group member driven over HTTP: a native Consumer (its own connections, manual commits) whose
 * batches wait in a bounded buffer until a poll takes them. Commits store what polls returned,
 * never what is only buffered, so records are delivered at least once: after a rebalance the
 * buffered records of revoked partitions are dropped and their new owner reads them again.
 */
export class ConsumerInstance {
  lastUsedMs = Date.now();
  private consumer: Consumer | null = null;
  private topics: string[] = [];
  private readonly buffer: ConsumedBatch[] = [];
  private bufferedRecords = 0;
  /** topic-partition -> next offset after the last record a poll returned */
  private readonly delivered = new Map<string, TopicPartitionOffset>();
  private wakePoll: (() => void) | null = null;
  private failure: Error | null = null;
  private closed = false;

  constructor(
    readonly options: InstanceOptions,
    private readonly kafka: KafkaService,
  ) {}

  get subscription(): string[] {
    return this.topics;
  }

  touch(): void {
    this.lastUsedMs = Date.now();
  }

  /** A poll is waiting for records: the instance is in use, however long ago it was asked. */
  get polling(): boolean {
    return this.wakePoll !== null;
  }

  /** (Re)subscribes: the previous member leaves the group and a new one joins for `topics`. */
  async subscribe(topics: string[]): Promise<void> {
    await this.stopConsumer();
    const consumer = this.kafka.createConsumer({ groupId: this.options.groupId, fromBeginning: this.options.fromBeginning, autoCommit: false, maxBytes: FETCH_MAX_BYTES, partitionMaxBytes: FETCH_MAX_BYTES });
    consumer.subscribe(topics);
    this.consumer = consumer;
    this.topics = [...new Set(topics)];
    this.failure = null;
    consumer.run({ eachBatch: (batch) => this.accept(consumer, batch) }).catch((error: unknown) => {
      if (this.consumer === consumer) this.failure = error instanceof Error ? error : new Error(String(error));
      this.wakePoll?.();
    });
  }

  /** Up to `maxRecords` buffered records of partitions still assigned, waiting at most `timeoutMs` for the first. */
  async poll(maxRecords: number, timeoutMs: number): Promise<PolledRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.bufferedRecords === 0 && !this.closed && this.failure === null && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wakePoll = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakePoll = null;
    }
    this.touch();
    if (this.failure) throw this.failure;
    const assigned = new Set(this.consumer?.assignment().map((p) => partitionKey(p.topic, p.partition)) ?? []);
    const polled: PolledRecord[] = [];
    while (polled.length < maxRecords && this.buffer.length > 0) {
      const batch = this.buffer[0];
      const key = partitionKey(batch.topic, batch.partition);
      const taken = assigned.has(key) ? batch.records.splice(0, maxRecords - polled.length) : batch.records.splice(0);
      this.bufferedRecords -= taken.length;
      if (batch.records.length === 0) this.buffer.shift();
      if (!assigned.has(key) || taken.length === 0) continue;
      for (const record of taken) polled.push({ ...record, topic: batch.topic, partition: batch.partition });
      this.delivered.set(key, { topic: batch.topic, partition: batch.partition, offset: taken[taken.length - 1].offset + 1 });
    }
    if (this.bufferedRecords < MAX_BUFFERED_RECORDS / 2) for (const topic of this.topics) this.consumer?.resume(topic);
    if (this.options.autoCommit && polled.length > 0) await this.commit();
    return polled;
  }

  /** Commits `offsets`, or by default the position after what polls returned; returns what was committed. */
  async commit(offsets?: TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    const consumer = this.consumer;
    if (!consumer) return [];
    const assigned = new Set(consumer.assignment().map((p) => partitionKey(p.topic, p.partition)));
    const toCommit = offsets ?? [...this.delivered.values()].filter((o) => assigned.has(partitionKey(o.topic, o.partition)));
    await consumer.commit(toCommit);
    return toCommit;
  }

  assignment(): { topic: string; partition: number }[] {
    return this.consumer?.assignment() ?? [];
  }

  /** Leaves the group; a waiting poll returns what it has. */
  async close(): Promise<void> {
    this.closed = true;
    this.wakePoll?.();
    await this.stopConsumer();
  }

  private accept(consumer: Consumer, batch: ConsumedBatch): void {
    if (consumer !== this.consumer || batch.records.length === 0) return;
    this.buffer.push({ ...batch, records: [...batch.records] });
    this.bufferedRecords += batch.records.length;
    if (this.bufferedRecords >= MAX_BUFFERED_RECORDS) for (const topic of this.topics) consumer.pause(topic);
    this.wakePoll?.();
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.buffer.length = 0;
    this.bufferedRecords = 0;
    this.delivered.clear();
    if (consumer) await this.kafka.closeConsumer(consumer);
  }
}
