import { ConsumedBatch, Consumer } from '@tributary/client';
import { KafkaService } from '../cluster/kafka.service';
import { DeliverySpans } from '../telemetry/delivery-spans';
import { errorFrame, errorFrameOf } from './error-frames';
import { DeliveryEncoder } from './record-codec';
import { WS_LIMITS } from './ws-limits';
import { Subscription, SubscriptionOutput, WsTelemetry } from './subscription';
import { AckFrame, ErrorFrame, SubscribeFrame, TopicPartitionOffset } from './ws-protocol';

/** Sent entries at the head of the waiting queue are dropped in one slice once this many have piled up. */
const COMPACT_AFTER_SENT = 1024;

/**
 * A subscription of a socket for a consumer group: a native Consumer, a member of the group, whose
 * records wait, already encoded, until the client has granted credit for them. Memory is bounded:
 * above maxBufferedBytes the consumer's partitions are paused, so it stops fetching, and resumed
 * once the client has taken half of what waits. Acks of a group
 * subscription are committed for the group; nothing is committed that the client did not ack.
 */
export class GroupSubscription implements Subscription {
  private credit: number;
  /** Encoded deliveries waiting for credit, oldest first from `head`. */
  private waiting: string[] = [];
  private head = 0;
  private waitingBytes = 0;
  private fetchingPaused = false;
  private consumer: Consumer | null = null;
  private readonly encoder: DeliveryEncoder;
  private readonly idJson: string;
  /** Acked (not yet committed) offset per partition: the last record processed. */
  private readonly acked = new Map<string, TopicPartitionOffset>();
  /** The highest offset ever acked per partition, committed or not. */
  private readonly highestAck = new Map<string, number>();
  private committing: Promise<void> | null = null;
  private closed = false;
  private readonly spans: DeliverySpans | null;

  constructor(
    private readonly request: SubscribeFrame,
    private readonly group: string,
    private readonly kafka: KafkaService,
    private readonly output: SubscriptionOutput,
    private readonly telemetry: WsTelemetry | null = null,
  ) {
    this.spans = telemetry?.tracer ? new DeliverySpans(telemetry.tracer, request.id) : null;
    this.credit = request.credit;
    this.encoder = new DeliveryEncoder({ key: request.key_format, value: request.value_format, headers: request.header_format });
    this.idJson = JSON.stringify(request.id);
  }

  get id(): string {
    return this.request.id;
  }

  /** Joins the group's topics, answers `subscribed`, then starts consuming. Throws for unknown topics. */
  async start(): Promise<void> {
    const group = this.group;
    const topics = this.request.topics ?? [];
    for (const topic of topics) await this.kafka.cluster.topic(topic);
    if (this.closed) return;
    // autoCommit off: the consumer's position runs ahead of what the client has processed; only acks commit
    const consumer = this.kafka.createConsumer({ maxBytes: WS_LIMITS.fetchMaxBytes, partitionMaxBytes: WS_LIMITS.partitionFetchMaxBytes, maxWaitMs: WS_LIMITS.fetchMaxWaitMs, maxBufferedResponses: 1, groupId: group, fromBeginning: this.request.from === 'earliest', autoCommit: false });
    this.consumer = consumer;
    consumer.subscribe(topics);
    this.output.send({ type: 'subscribed', id: this.id, group, topics });
    consumer.run({ eachBatch: (batch) => this.onBatch(batch) }).catch((error: unknown) => {
      if (this.closed) return;
      const frame = errorFrameOf(this.id, error);
      this.output.send(frame);
      this.output.ended(this.id, frame.message);
    });
  }

  /** Adds `records` to the credit; an error when the outstanding credit would pass maxCredit. */
  grant(records: number): ErrorFrame | null {
    if (this.credit + records > WS_LIMITS.maxCredit) return errorFrame(this.id, 429, `credit: at most ${WS_LIMITS.maxCredit} records may be outstanding (${this.credit} are)`);
    this.credit += records;
    this.pump();
    return null;
  }

  /** Records the client's acks and commits them for the group (coalesced: one commit in flight). */
  ack(frame: AckFrame): ErrorFrame | null {
    const topics = this.request.topics ?? [];
    const foreign = frame.offsets.find((o) => !topics.includes(o.topic));
    if (foreign) return errorFrame(this.id, 400, `ack: topic ${foreign.topic} is not part of this subscription`);
    for (const o of frame.offsets) {
      const key = `${o.topic}\u0000${o.partition}`;
      // an ack below one already taken (perhaps committed) must not move the group's offset back
      if ((this.highestAck.get(key) ?? -1) >= o.offset) continue;
      this.highestAck.set(key, o.offset);
      this.acked.set(key, { topic: o.topic, partition: o.partition, offset: o.offset });
    }
    void this.commitAcked();
    return null;
  }

  /** Sends waiting deliveries while there is credit and the socket is writable. */
  pump(): void {
    // bounded: every pass sends one frame of at least one record taken from `waiting`
    while (!this.closed && this.credit > 0 && this.head < this.waiting.length && this.output.writable()) {
      const count = Math.min(this.credit, this.waiting.length - this.head, WS_LIMITS.maxRecordsPerFrame);
      const texts = this.waiting.slice(this.head, this.head + count);
      this.head += count;
      this.credit -= count;
      for (const text of texts) this.waitingBytes -= text.length;
      this.output.sendText(`{"type":"records","id":${this.idJson},"records":[${texts.join(',')}]}`);
      this.telemetry?.metrics.delivered(count);
      this.spans?.sent(count);
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER_SENT) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    if (this.fetchingPaused && this.waitingBytes <= WS_LIMITS.maxBufferedBytes / 2) this.setFetching(true);
  }

  /** Stops consuming; acks not yet committed are committed first (bounded wait), then the group is left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiting = [];
    this.head = 0;
    this.spans?.abandon();
    const consumer = this.consumer;
    if (!consumer) return;
    if (this.acked.size > 0 || this.committing) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, WS_LIMITS.closeCommitTimeoutMs)));
      await Promise.race([this.commitAcked(), timeout]);
      clearTimeout(timer);
    }
    await this.kafka.closeConsumer(consumer);
  }

  private onBatch(batch: ConsumedBatch): void {
    if (this.closed) return;
    this.spans?.received(batch.topic, batch.partition, batch.records);
    for (const text of this.encoder.encodeBatch(batch.topic, batch.partition, batch.records)) {
      this.waiting.push(text);
      this.waitingBytes += text.length;
    }
    this.pump();
    // also when already paused: a group may have assigned new partitions, which start unpaused
    if (this.waitingBytes >= WS_LIMITS.maxBufferedBytes) this.setFetching(false);
  }

  /** Pauses or resumes every assigned partition (a group's later assignments are paused at their first batch). */
  private setFetching(on: boolean): void {
    const consumer = this.consumer;
    if (!consumer) return;
    this.fetchingPaused = !on;
    for (const { topic, partition } of consumer.assignment()) {
      if (on) consumer.resume(topic, partition);
      else consumer.pause(topic, partition);
    }
  }

  /**
   * Commits what was acked, again while more acks arrive meanwhile (also while closing: close()
   * waits for it, bounded); a failing commit is retried commitAttempts times, then reported in an
   * error frame, and the acks stay to go with the next commit.
   */
  private commitAcked(): Promise<void> {
    this.committing ??= (async () => {
      let failures = 0;
      while (this.acked.size > 0 && this.consumer) {
        const batch = [...this.acked.values()];
        this.acked.clear();
        try {
          await this.consumer.commit(batch.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset + 1 })));
          failures = 0;
          if (!this.closed) this.output.send({ type: 'committed', id: this.id, offsets: batch });
        } catch (error) {
          for (const o of batch) {
            const key = `${o.topic}\u0000${o.partition}`;
            const newer = this.acked.get(key);
            if (!newer || newer.offset < o.offset) this.acked.set(key, o);
          }
          if (++failures >= WS_LIMITS.commitAttempts) {
            if (!this.closed) this.output.send(errorFrameOf(this.id, error));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, WS_LIMITS.commitRetryBackoffMs));
        }
      }
    })().finally(() => {
      this.committing = null;
    });
    return this.committing;
  }
}
