import { encodeEndTxnMarker, ControlRecordType } from '@tributary/protocol';
import { MARKER_ABORT, MARKER_COMMIT, TransactionIndex, markerTypeAt } from './transaction-index';

const data = (producerId: number, firstOffset: number, lastOffset: number) => ({ producerId, firstOffset, lastOffset, transactional: true, marker: null });
const marker = (producerId: number, offset: number, type: number) => ({ producerId, firstOffset: offset, lastOffset: offset, transactional: true, marker: type });

describe('TransactionIndex', () => {
  it('holds the first unstable offset at the oldest open transaction until its marker', () => {
    const index = new TransactionIndex();
    expect(index.firstUnstableOffset).toBeNull();
    index.onBatchWritten(data(1, 10, 12));
    index.onBatchWritten(data(2, 13, 13));
    index.onBatchWritten(data(1, 14, 15)); // a later batch of the same transaction does not move its start
    expect(index.firstUnstableOffset).toBe(10);
    index.onBatchWritten(marker(1, 16, MARKER_COMMIT));
    expect(index.firstUnstableOffset).toBe(13);
    index.onBatchWritten(marker(2, 17, MARKER_ABORT));
    expect(index.firstUnstableOffset).toBeNull();
  });

  it('lists the aborted transactions overlapping a fetched range, and only aborted ones', () => {
    const index = new TransactionIndex();
    index.onBatchWritten(data(1, 0, 4));
    index.onBatchWritten(marker(1, 5, MARKER_ABORT));
    index.onBatchWritten(data(2, 6, 8));
    index.onBatchWritten(data(3, 9, 9));
    index.onBatchWritten(marker(2, 10, MARKER_COMMIT));
    index.onBatchWritten(marker(3, 11, MARKER_ABORT));
    index.onBatchWritten(marker(4, 12, MARKER_ABORT)); // aborted with nothing written here: hides nothing
    expect(index.abortedBetween(0, 13)).toEqual([
      { producerId: 1, firstOffset: 0, lastOffset: 5 },
      { producerId: 3, firstOffset: 9, lastOffset: 11 },
    ]);
    expect(index.abortedBetween(6, 13)).toEqual([{ producerId: 3, firstOffset: 9, lastOffset: 11 }]);
    expect(index.abortedBetween(0, 9)).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 5 }]);
    expect(index.abortedBetween(12, 20)).toEqual([]);
  });

  it('forgets an aborted transaction whose marker the log cleaner removed, once a read spans where it was', () => {
    const index = new TransactionIndex();
    index.onBatchWritten(data(1, 0, 4));
    index.onBatchWritten(marker(1, 5, MARKER_ABORT));
    index.onBatchWritten(data(2, 6, 6));
    index.onBatchWritten(marker(2, 7, MARKER_ABORT));
    // a read of [0, 6) that met no marker at 5: producer 1's abort is gone; producer 2's lies beyond the read
    expect(index.abortedBetween(0, 6, new Set())).toEqual([]);
    expect(index.abortedBetween(0, 8, new Set([7]))).toEqual([{ producerId: 2, firstOffset: 6, lastOffset: 7 }]);
    expect(index.abortedBetween(0, 8)).toEqual([{ producerId: 2, firstOffset: 6, lastOffset: 7 }]); // forgotten for good
    expect(index.snapshot().aborted).toEqual([{ producerId: 2, firstOffset: 6, lastOffset: 7 }]);
  });

  it('ignores non-transactional batches, and survives a snapshot round trip', () => {
    const index = new TransactionIndex();
    index.onBatchWritten({ ...data(5, 0, 3), transactional: false });
    expect(index.firstUnstableOffset).toBeNull();
    index.onBatchWritten(data(1, 4, 4));
    index.onBatchWritten(marker(1, 5, MARKER_ABORT));
    index.onBatchWritten(data(2, 6, 6));
    const copy = TransactionIndex.restore(JSON.parse(JSON.stringify(index.snapshot())));
    expect(copy.firstUnstableOffset).toBe(6);
    expect(copy.abortedBetween(0, 10)).toEqual([{ producerId: 1, firstOffset: 4, lastOffset: 5 }]);
    copy.pruneBelow(6);
    expect(copy.abortedBetween(0, 10)).toEqual([]);
  });

  it('reads the marker type from a control batch as the coordinator writes it', () => {
    const commit = encodeEndTxnMarker(ControlRecordType.Commit, { producerId: 9, producerEpoch: 2, coordinatorEpoch: 0 });
    const abort = encodeEndTxnMarker(ControlRecordType.Abort, { producerId: 9, producerEpoch: 2, coordinatorEpoch: 0 });
    expect(markerTypeAt(commit, 0)).toBe(MARKER_COMMIT);
    expect(markerTypeAt(abort, 0)).toBe(MARKER_ABORT);
    expect(markerTypeAt(commit.subarray(0, 63), 0)).toBeNull(); // cut short: no type, no crash
  });
});
