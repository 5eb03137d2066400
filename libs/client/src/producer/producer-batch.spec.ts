import { RecordBatchBuilder, readRecordBatches } from '@tributary/protocol';
import { ProducerBatch, SendCompletion } from './producer-batch';

describe('ProducerBatch', () => {
  it('reports each record its own CreateTime, and the shared one when all records have it', async () => {
    const shared = new SendCompletion(2);
    const sameTime = new ProducerBatch('t', 0, new RecordBatchBuilder());
    sameTime.append(null, 'a', 1_000, [], shared, 0);
    sameTime.append(null, 'b', 1_000, [], shared, 1);
    sameTime.seal({});
    sameTime.complete(10, -1);
    expect((await shared.promise).map((r) => [r.offset, r.timestamp])).toEqual([
      [10, 1_000],
      [11, 1_000],
    ]);

    const mixed = new SendCompletion(3);
    const mixedTimes = new ProducerBatch('t', 0, new RecordBatchBuilder());
    mixedTimes.append(null, 'a', 1_000, [], mixed, 0);
    mixedTimes.append(null, 'b', 1_000, [], mixed, 1);
    mixedTimes.append(null, 'c', 2_000, [], mixed, 2);
    mixedTimes.seal({});
    mixedTimes.complete(0, -1);
    expect((await mixed.promise).map((r) => r.timestamp)).toEqual([1_000, 1_000, 2_000]);

    // LogAppendTime replaces every CreateTime
    const appended = new SendCompletion(1);
    const logAppend = new ProducerBatch('t', 0, new RecordBatchBuilder());
    logAppend.append(null, 'a', 1_000, [], appended, 0);
    logAppend.seal({});
    logAppend.complete(0, 5_000);
    expect((await appended.promise)[0].timestamp).toBe(5_000);
  });

  it('a send() spread over two batches settles once both are acknowledged, each record with its own batch\'s offset, in send order', async () => {
    const completion = new SendCompletion(3);
    const first = new ProducerBatch('t', 0, new RecordBatchBuilder());
    const second = new ProducerBatch('t', 1, new RecordBatchBuilder());
    first.append(null, 'a', 1_000, [], completion, 0);
    second.append(null, 'b', 1_000, [], completion, 1);
    first.append(null, 'c', 1_000, [], completion, 2);
    first.seal({});
    second.seal({});
    let settled = false;
    void completion.promise.then(() => (settled = true));
    second.complete(70, -1);
    await Promise.resolve();
    expect(settled).toBe(false);
    first.complete(40, -1);
    expect((await completion.promise).map((r) => [r.partition, r.offset])).toEqual([
      [0, 40],
      [1, 70],
      [0, 41],
    ]);
  });

  it('hands its builder back on seal, empty, while the sealed bytes stay intact for retries', () => {
    const batch = new ProducerBatch('t', 0, new RecordBatchBuilder());
    batch.append(null, 'first batch', 1_000, [], new SendCompletion(1), 0);
    const builder = batch.seal({});
    const built = Buffer.from(batch.built!);
    expect(builder.count).toBe(0);
    expect(() => batch.append(null, 'late', 1_000, [], new SendCompletion(1), 0)).toThrow(/sealed/);

    const next = new ProducerBatch('t', 0, builder);
    next.append(null, 'second batch overwrites the pooled buffer', 2_000, [], new SendCompletion(1), 0);
    next.seal({});
    expect(batch.built!.equals(built)).toBe(true);
    const [record] = [...[...readRecordBatches(batch.built!)][0].records()];
    expect(record.value?.toString()).toBe('first batch');
  });
});
