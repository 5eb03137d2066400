import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './frames';
import { API_KEYS, FetchResponse, ProduceRequest } from './types.generated';

describe('typed request/response API', () => {
  it('narrows the decoded body by api key', () => {
    const records = Buffer.from('record-batch-bytes');
    const frame = encodeRequest(API_KEYS.Produce, 9, 11, 'producer-1', {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 'orders', partitionData: [{ index: 0, records }] }],
    });
    const request = decodeRequest(frame.subarray(4));
    if (request.apiKey !== API_KEYS.Produce) throw new Error('expected produce');
    const body: ProduceRequest = request.body;
    expect(body.transactionalId).toBeNull(); // omitted -> schema default
    expect(body.topicData[0].partitionData[0].records).toEqual(records); // kept as raw bytes
  });

  it('round-trips a Fetch response with int64 offsets as bigint and tagged defaults', () => {
    const frame = encodeResponse(API_KEYS.Fetch, 12, 3, {
      responses: [
        { topic: 't', partitions: [{ partitionIndex: 1, highWatermark: 42, records: Buffer.from([1, 2]) }] },
      ],
    });
    const { correlationId, body } = decodeResponse(API_KEYS.Fetch, 12, frame.subarray(4));
    const typed: FetchResponse = body;
    expect(correlationId).toBe(3);
    const partition = typed.responses[0].partitions[0];
    expect(partition.highWatermark).toBe(42n);
    expect(partition.lastStableOffset).toBe(-1n);
    expect(partition.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect(partition.abortedTransactions).toEqual([]); // nullable, but the default of an array is empty
  });
});
