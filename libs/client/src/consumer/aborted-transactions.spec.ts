import { ControlRecordType, encodeEndTxnMarker, encodeRecordBatch, readRecordBatches } from '@tributary/protocol';
import { AbortedTransactionFilter } from './aborted-transactions';

/** A partition's bytes: data batches of producers (transactional or not) and markers, at given offsets. */
function log(...batches: { offset: number; producerId: number; values?: string[]; transactional?: boolean; marker?: ControlRecordType }[]): Buffer {
  return Buffer.concat(
    batches.map((b) => {
      if (b.marker !== undefined) {
        const marker = encodeEndTxnMarker(b.marker, { producerId: b.producerId, producerEpoch: 0, coordinatorEpoch: 0 });
        marker.writeBigInt64BE(BigInt(b.offset), 0); // the base offset is outside the CRC
        return marker;
      }
      return encodeRecordBatch((b.values ?? ['x']).map((v) => ({ value: Buffer.from(v) })), { baseOffset: b.offset, producerId: b.producerId, producerEpoch: 0, transactional: b.transactional ?? true });
    }),
  );
}

function delivered(bytes: Buffer, aborted: { producerId: bigint; firstOffset: bigint }[]): string[] {
  const filter = new AbortedTransactionFilter(aborted);
  return [...readRecordBatches(bytes)].filter((b) => filter.accepts(b)).flatMap((b) => [...b.records()].map((r) => r.value!.toString()));
}

describe('AbortedTransactionFilter (read_committed)', () => {
  it('drops the batches of an aborted transaction up to its marker, keeps committed and plain ones', () => {
    const bytes = log(
      { offset: 0, producerId: 1, values: ['a1'] }, // aborted below
      { offset: 1, producerId: 2, values: ['c1'] }, // committed
      { offset: 2, producerId: 9, values: ['plain'], transactional: false },
      { offset: 3, producerId: 1, values: ['a2'] },
      { offset: 4, producerId: 1, marker: ControlRecordType.Abort },
      { offset: 5, producerId: 2, marker: ControlRecordType.Commit },
      { offset: 6, producerId: 1, values: ['next-txn'] }, // the producer's next transaction, not aborted
      { offset: 7, producerId: 1, marker: ControlRecordType.Commit },
    );
    expect(delivered(bytes, [{ producerId: 1n, firstOffset: 0n }])).toEqual(['c1', 'plain', 'next-txn']);
    expect(delivered(bytes, [])).toEqual(['a1', 'c1', 'plain', 'a2', 'next-txn']); // nothing listed: nothing dropped
  });

  it('starts hiding a producer only from its aborted transaction\'s first offset', () => {
    const bytes = log(
      { offset: 0, producerId: 1, values: ['committed-earlier'] },
      { offset: 1, producerId: 1, marker: ControlRecordType.Commit },
      { offset: 2, producerId: 1, values: ['aborted-later'] },
      { offset: 3, producerId: 1, marker: ControlRecordType.Abort },
    );
    expect(delivered(bytes, [{ producerId: 1n, firstOffset: 2n }])).toEqual(['committed-earlier']);
  });
});
