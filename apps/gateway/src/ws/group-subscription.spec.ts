import { ConsumedBatch, ConsumerHandlers, TopicPartitionOffset as CommitOffset } from '@tributary/client';
import { KafkaService } from '../cluster/kafka.service';
import { GroupSubscription } from './group-subscription';
import { WS_LIMITS } from './ws-limits';
import { ServerFrame, SubscribeFrame, parseClientFrame } from './ws-protocol';

/** A stand-in for the native Consumer: the test hands it batches and watches pause/resume and commits. */
class FakeConsumer {
  handlers: ConsumerHandlers | null = null;
  paused = false;
  readonly commits: CommitOffset[][] = [];
  assign(): void {}
  subscribe(): void {}
  assignment() {
    return [{ topic: 't', partition: 0 }];
  }
  run(handlers: ConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    return new Promise(() => undefined);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  async commit(offsets: CommitOffset[]): Promise<void> {
    this.commits.push(offsets);
  }
  deliver(from: number, count: number): void {
    const records = Array.from({ length: count }, (_, i) => ({ offset: from + i, timestamp: 0, key: null, value: Buffer.from(`v${from + i}`), headers: [] }));
    void this.handlers!.eachBatch!({ topic: 't', partition: 0, highWatermark: from + count, records } as ConsumedBatch);
  }
}

function subscribeFrame(fields: Record<string, unknown>): SubscribeFrame {
  const parsed = parseClientFrame(JSON.stringify({ type: 'subscribe', id: 's', topics: ['t'], group: 'g', ...fields }));
  if (!('frame' in parsed) || parsed.frame.type !== 'subscribe') throw new Error(`bad test frame: ${JSON.stringify(parsed)}`);
  return parsed.frame;
}

async function started(fields: Record<string, unknown>) {
  const consumer = new FakeConsumer();
  const kafka = {
    cluster: { topic: async () => ({ name: 't', topicId: '', partitions: [{ partition: 0, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] }] }) },
    admin: { listOffsets: async () => [{ partition: 0, offset: 0, timestamp: -1 }] },
    createConsumer: () => consumer,
    closeConsumer: async () => undefined,
  } as unknown as KafkaService;
  const frames: ServerFrame[] = [];
  let writable = true;
  const subscription = new GroupSubscription(subscribeFrame(fields), 'g', kafka, {
    send: (frame) => frames.push(frame),
    sendText: (text) => frames.push(JSON.parse(text) as ServerFrame),
    sendParts: (parts) => frames.push(JSON.parse(Buffer.concat(parts).toString()) as ServerFrame),
    writable: () => writable,
    ended: () => undefined,
  });
  await subscription.start();
  const delivered = () => frames.flatMap((f) => (f.type === 'records' ? f.records.map((r) => r.offset) : []));
  return { subscription, consumer, frames, delivered, setWritable: (on: boolean) => (writable = on) };
}

describe('GroupSubscription credit accounting', () => {
  it('never sends more records than the client granted, in order, across grants', async () => {
    const { subscription, consumer, frames, delivered } = await started({ credit: 3 });
    expect(frames[0]).toEqual({ type: 'subscribed', id: 's', group: 'g', topics: ['t'] });
    consumer.deliver(0, 10);
    expect(delivered()).toEqual([0, 1, 2]);
    expect(subscription.grant(5)).toBeNull();
    expect(delivered()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    consumer.deliver(10, 5);
    expect(subscription.grant(100)).toBeNull();
    expect(delivered()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(subscription.grant(WS_LIMITS.maxCredit)).toMatchObject({ type: 'error', error_code: 429 });
  });

  it('splits deliveries into frames of at most maxRecordsPerFrame and holds them while the socket is not writable', async () => {
    const { subscription, consumer, frames, delivered, setWritable } = await started({ credit: 1200 });
    setWritable(false);
    consumer.deliver(0, 1200);
    expect(delivered()).toEqual([]);
    setWritable(true);
    subscription.pump();
    expect(frames.filter((f) => f.type === 'records').map((f) => (f.type === 'records' ? f.records.length : 0))).toEqual([500, 500, 200]);
  });

  it('pauses fetching once maxBufferedBytes wait for credit, and resumes when about half of them have been sent', async () => {
    const { subscription, consumer } = await started({ credit: 0 });
    let waiting = 0;
    // bounded: every round adds one record of about 100 encoded bytes
    while (!consumer.paused && waiting < WS_LIMITS.maxBufferedBytes) consumer.deliver(waiting++, 1);
    expect(consumer.paused).toBe(true);
    expect(waiting).toBeGreaterThan(WS_LIMITS.maxBufferedBytes / 200);
    let sent = 0;
    while (consumer.paused && sent < waiting) {
      subscription.grant(1);
      sent++;
    }
    expect(consumer.paused).toBe(false);
    expect(sent / waiting).toBeGreaterThan(0.45);
    expect(sent / waiting).toBeLessThan(0.55);
  });

  it('pauses at once for one record as large as the bound', async () => {
    const { consumer } = await started({ credit: 0 });
    const big = 'x'.repeat(WS_LIMITS.maxBufferedBytes);
    void consumer.handlers!.eachBatch!({ topic: 't', partition: 0, highWatermark: 1, records: [{ offset: 0, timestamp: 0, key: null, value: Buffer.from(big), headers: [] }] });
    expect(consumer.paused).toBe(true);
  });
});

describe('GroupSubscription acks', () => {
  it('commits the offset after each acked record for a group, and confirms with the acked offsets', async () => {
    const { subscription, consumer, frames } = await started({ credit: 10 });
    consumer.deliver(0, 5);
    expect(subscription.ack({ type: 'ack', id: 's', offsets: [{ topic: 't', partition: 0, offset: 2 }, { topic: 't', partition: 0, offset: 4 }] })).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: 5 }]]);
    expect(frames.at(-1)).toEqual({ type: 'committed', id: 's', offsets: [{ topic: 't', partition: 0, offset: 4 }] });
    // acks not yet committed when the subscription closes are committed before it leaves
    consumer.deliver(5, 3);
    subscription.ack({ type: 'ack', id: 's', offsets: [{ topic: 't', partition: 0, offset: 6 }] });
    subscription.ack({ type: 'ack', id: 's', offsets: [{ topic: 't', partition: 0, offset: 5 }] });
    await subscription.close();
    expect(consumer.commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: 7 }]);
    expect(subscription.ack({ type: 'ack', id: 's', offsets: [{ topic: 'other', partition: 0, offset: 1 }] })).toMatchObject({ error_code: 400, message: 'ack: topic other is not part of this subscription' });
  });
});
