import { KafkaService } from '../cluster/kafka.service';
import { DeliverySpans } from '../telemetry/delivery-spans';
import { errorFrame, errorFrameOf } from './error-frames';
import { FeedSource } from './fanout/fanout-hub';
import { formatKeyOf } from './fanout/feed-chunk';
import { FeedWaiter, PartitionFeed } from './fanout/partition-feed';
import { DeliveryFormats } from './record-codec';
import { startPositions } from './start-positions';
import { Subscription, SubscriptionOutput, WsTelemetry } from './subscription';
import { WS_LIMITS } from './ws-limits';
import { AckFrame, ErrorFrame, SubscribeFrame } from './ws-protocol';

const FRAME_END = Buffer.from(']}');

/** Where a subscription reads one partition: its feed and the next offset it delivers. */
interface Cursor extends FeedWaiter {
  feed: PartitionFeed;
  offset: number;
}

/**
 * A subscription to partitions by position, with no group: it reads the partitions' shared feeds
 * of the fan-out hub at its own offsets, taking exactly as many records as the client granted
 * credit for, when the socket is writable. It holds no records of its own; a reader with credit
 * waits at its offset in the feed, which fetches that offset once for all readers there. The
 * client keeps its positions (the offsets of what it received); nothing is committed.
 */
export class DirectSubscription implements Subscription {
  private credit: number;
  private cursors: Cursor[] = [];
  /** The cursor the next pump starts with, so partitions take turns. */
  private turn = 0;
  private pumping = false;
  private closed = false;
  private readonly formats: DeliveryFormats;
  private readonly formatKey: string;
  private readonly frameStart: Buffer;
  private readonly spans: DeliverySpans | null;

  constructor(
    private readonly request: SubscribeFrame,
    private readonly kafka: KafkaService,
    private readonly feeds: FeedSource,
    private readonly output: SubscriptionOutput,
    private readonly telemetry: WsTelemetry | null = null,
  ) {
    this.spans = telemetry?.tracer ? new DeliverySpans(telemetry.tracer, request.id) : null;
    this.credit = request.credit;
    this.formats = { key: request.key_format, value: request.value_format, headers: request.header_format };
    this.formatKey = formatKeyOf(this.formats);
    this.frameStart = Buffer.from(`{"type":"records","id":${JSON.stringify(request.id)},"records":[`);
  }

  get id(): string {
    return this.request.id;
  }

  async start(): Promise<void> {
    const positions = await startPositions(this.kafka, this.request);
    if (this.closed) return;
    this.cursors = positions.map((p) => {
      const cursor: Cursor = { feed: this.feeds.acquire(p.topic, p.partition), offset: p.offset, wake: () => this.pump() };
      return cursor;
    });
    // the exact start offsets: a client that reconnects before its first record resumes from them
    this.output.send({ type: 'subscribed', id: this.id, partitions: positions });
    this.pump();
  }

  grant(records: number): ErrorFrame | null {
    if (this.credit + records > WS_LIMITS.maxCredit) return errorFrame(this.id, 429, `credit: at most ${WS_LIMITS.maxCredit} records may be outstanding (${this.credit} are)`);
    this.credit += records;
    this.pump();
    return null;
  }

  ack(_frame: AckFrame): ErrorFrame | null {
    return errorFrame(this.id, 400, 'ack: only group subscriptions commit; a direct subscription resumes from the positions its client keeps (partitions[].offset)');
  }

  /** Sends what the feeds hold at the cursors while there is credit and the socket is writable; cursors with nothing wait. */
  pump(): void {
    if (this.pumping || this.closed || this.cursors.length === 0) return;
    this.pumping = true;
    try {
      // bounded: each step sends a frame (using credit), moves a cursor forward over cached offsets,
      // or finds a cursor with nothing to read; a whole round of the latter ends the pump
      let idle = 0;
      while (!this.closed && this.credit > 0 && idle < this.cursors.length && this.output.writable()) {
        const cursor = this.cursors[this.turn];
        this.turn = (this.turn + 1) % this.cursors.length;
        idle = this.step(cursor) ? 0 : idle + 1;
      }
    } catch (error) {
      // pumps run from feeds' fetch answers and socket flushes: a failure ends this subscription only
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.pumping = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cursor of this.cursors) {
      cursor.feed.unwait(cursor);
      this.feeds.release(cursor.feed);
    }
    this.cursors = [];
  }

  /** One step of a cursor; false when it has nothing to deliver now (it then waits in its feed). */
  private step(cursor: Cursor): boolean {
    const found = cursor.feed.read(cursor.offset);
    if (found === null) {
      cursor.feed.wait(cursor, cursor.offset);
      return false;
    }
    if ('failed' in found) {
      this.fail(found.failed);
      return false;
    }
    if ('moveTo' in found) {
      if (found.moveTo === cursor.offset) return false;
      cursor.offset = found.moveTo;
      return true;
    }
    const { chunk, index } = found;
    if (index >= chunk.records.length) {
      cursor.offset = chunk.next;
      return true;
    }
    const end = Math.min(chunk.records.length, index + Math.min(this.credit, WS_LIMITS.maxRecordsPerFrame));
    const { body, addedBytes } = chunk.body(this.formats, this.formatKey, index, end);
    cursor.feed.used(chunk, addedBytes);
    this.output.sendParts([this.frameStart, body, FRAME_END]);
    const count = end - index;
    this.credit -= count;
    cursor.offset = end < chunk.records.length ? chunk.records[end].offset : chunk.next;
    this.telemetry?.metrics.delivered(count);
    this.spans?.delivered(chunk.topic, chunk.partition, chunk.records.slice(index, end), chunk.receivedAt);
    return true;
  }

  /** A feed cannot be read (topic deleted, access refused): the client learns why and the subscription ends. */
  private fail(error: Error): void {
    if (this.closed) return;
    const frame = errorFrameOf(this.id, error);
    this.output.send(frame);
    this.output.ended(this.id, frame.message);
  }
}
