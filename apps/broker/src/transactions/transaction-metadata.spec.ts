import { decodeTransactionKey, decodeTransactionValue, encodeTransactionKey, encodeTransactionValue } from './transaction-log-records';
import { MAX_PRODUCER_EPOCH, TransactionMetadata, TxnState, addPartitions, complete, decideInit, endTransaction, hasExpired, newTransaction } from './transaction-metadata';

const t0 = 1_000;
const fresh = () => newTransaction('tx', 42, 60_000, t0);
const ongoing = (): TransactionMetadata => {
  const added = addPartitions(fresh(), 42, 0, [{ topic: 'a', partition: 0 }], t0);
  if ('error' in added) throw new Error(added.error);
  return added.next;
};
const next = <R extends object>(result: R): Exclude<R, { error: unknown }> => {
  if ('error' in result) throw new Error(`unexpected ${String(result.error)}`);
  return result as Exclude<R, { error: unknown }>;
};

describe('transaction state machine', () => {
  it('runs Empty -> Ongoing -> PrepareCommit -> CompleteCommit -> Ongoing again', () => {
    const open = ongoing();
    expect(open).toMatchObject({ state: TxnState.Ongoing, startMs: t0, partitions: [{ topic: 'a', partition: 0 }] });
    const more = next(addPartitions(open, 42, 0, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 3 }], t0 + 5)).next;
    expect(more.partitions).toEqual([{ topic: 'a', partition: 0 }, { topic: 'b', partition: 3 }]);
    expect(more.startMs).toBe(t0); // the transaction began with its first partition
    expect(next(addPartitions(more, 42, 0, [{ topic: 'b', partition: 3 }], t0 + 6)).next).toBe(more); // nothing new: no write
    const prepared = next(endTransaction(more, 42, 0, true, t0 + 10)).next!;
    expect(prepared.state).toBe(TxnState.PrepareCommit);
    const done = complete(prepared, t0 + 20);
    expect(done).toMatchObject({ state: TxnState.CompleteCommit, partitions: [], startMs: -1 });
    expect(next(addPartitions(done, 42, 0, [{ topic: 'c', partition: 1 }], t0 + 30)).next).toMatchObject({ state: TxnState.Ongoing, startMs: t0 + 30, partitions: [{ topic: 'c', partition: 1 }] });
  });

  it('answers retries and conflicts of EndTxn as Kafka does', () => {
    const prepared = next(endTransaction(ongoing(), 42, 0, false, t0)).next!;
    expect(endTransaction(prepared, 42, 0, false, t0)).toEqual({ error: 'CONCURRENT_TRANSACTIONS' });
    expect(endTransaction(prepared, 42, 0, true, t0)).toEqual({ error: 'INVALID_TXN_STATE' });
    expect(addPartitions(prepared, 42, 0, [{ topic: 'a', partition: 1 }], t0)).toEqual({ error: 'CONCURRENT_TRANSACTIONS' });
    const aborted = complete(prepared, t0);
    expect(endTransaction(aborted, 42, 0, false, t0)).toEqual({ next: null }); // a retry of a completed abort
    expect(endTransaction(aborted, 42, 0, true, t0)).toEqual({ error: 'INVALID_TXN_STATE' });
    expect(endTransaction(fresh(), 42, 0, true, t0)).toEqual({ error: 'INVALID_TXN_STATE' });
  });

  it('fences older epochs and refuses unknown producer ids', () => {
    const open = ongoing();
    expect(addPartitions(open, 42, 1, [], t0)).toEqual({ error: 'PRODUCER_FENCED' });
    expect(endTransaction(open, 7, 0, true, t0)).toEqual({ error: 'INVALID_PRODUCER_ID_MAPPING' });
    expect(addPartitions(undefined, 42, 0, [], t0)).toEqual({ error: 'INVALID_PRODUCER_ID_MAPPING' });
  });

  it('InitProducerId: new id, epoch bump, abort of an open transaction first, CONCURRENT_TRANSACTIONS while deciding', () => {
    expect(decideInit(undefined, 1_000, t0)).toEqual({ kind: 'new-producer' });
    expect(decideInit(fresh(), 5_000, t0)).toMatchObject({ kind: 'bump', next: { producerId: 42, producerEpoch: 1, timeoutMs: 5_000, state: TxnState.Empty } });
    expect(decideInit(ongoing(), 5_000, t0)).toMatchObject({ kind: 'abort-ongoing', prepare: { producerEpoch: 1, state: TxnState.PrepareAbort, partitions: [{ topic: 'a', partition: 0 }] } });
    expect(decideInit(next(endTransaction(ongoing(), 42, 0, true, t0)).next!, 5_000, t0)).toEqual({ error: 'CONCURRENT_TRANSACTIONS' });
    expect(decideInit({ ...fresh(), producerEpoch: MAX_PRODUCER_EPOCH }, 5_000, t0)).toEqual({ kind: 'new-producer' }); // epochs exhausted
  });

  it('InitProducerId v3+: the current producer may resume (epoch bump); an older or foreign one is fenced', () => {
    expect(decideInit(fresh(), 5_000, t0, { producerId: 42, producerEpoch: 0 })).toMatchObject({ kind: 'bump', next: { producerEpoch: 1 } });
    expect(decideInit({ ...fresh(), producerEpoch: 3 }, 5_000, t0, { producerId: 42, producerEpoch: 2 })).toEqual({ error: 'PRODUCER_FENCED' });
    expect(decideInit(fresh(), 5_000, t0, { producerId: 7, producerEpoch: 0 })).toEqual({ error: 'PRODUCER_FENCED' });
    expect(decideInit(fresh(), 5_000, t0, { producerId: -1, producerEpoch: -1 })).toMatchObject({ kind: 'bump' }); // a fresh start
  });

  it('expires only open transactions past their timeout', () => {
    const open = ongoing();
    expect(hasExpired(open, t0 + 60_000)).toBe(false);
    expect(hasExpired(open, t0 + 60_001)).toBe(true);
    expect(hasExpired(fresh(), t0 + 1e9)).toBe(false);
  });

  it('stores the metadata as Kafka TransactionLog key/value v0, read back identically', () => {
    const open = next(addPartitions(ongoing(), 42, 0, [{ topic: 'b', partition: 7 }, { topic: 'a', partition: 2 }], t0 + 1)).next;
    expect(decodeTransactionKey(encodeTransactionKey('tx'))).toBe('tx');
    const byTopic = (list: { topic: string; partition: number }[]) => [...list].sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition);
    const decoded = decodeTransactionValue('tx', encodeTransactionValue(open));
    expect({ ...decoded, partitions: byTopic(decoded.partitions) }).toEqual({ ...open, partitions: byTopic(open.partitions) }); // stored grouped by topic
    expect(() => decodeTransactionValue('tx', encodeTransactionValue(open).subarray(0, 20))).toThrow(/truncated/);
  });
});
