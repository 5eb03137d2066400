import { batchAnswerJson } from './batch-answer';
import { produceBatchResponseSchema } from './produce.schemas';
import { PreparedRecord } from './record-producer';

const prepared = (key: PreparedRecord['key'], value: PreparedRecord['value']): PreparedRecord => ({ record: { value: null }, key, value });

describe('the records:batch answer written as JSON text', () => {
  it('is the ProduceBatchResponse JSON.stringify would write: ids escaped, sizes, null keys, failures', () => {
    const ms = Date.UTC(2026, 11, 2, 8, 0, 0, 123);
    const successes = [
      { id: 'plain', prepared: prepared(null, { type: 'STRING' as const, size: 100 }), metadata: { topic: 't', partition: 2, offset: 41, timestamp: ms } },
      { id: 'quote " back\\slash \u2028 é \n', prepared: prepared({ type: 'BINARY' as const, size: 3 }, null), metadata: { topic: 't', partition: 0, offset: 7, timestamp: ms + 1 } },
    ];
    const failures = [{ id: 'bad "one"', error_code: 422, message: 'value.data: not valid base64' }];
    // a caller's own fields on a failure (the controller keeps the entry's index) are not answered
    const text = batchAnswerJson('cluster "x"', 'orders/ü', successes, failures.map((f) => ({ ...f, index: 3 })));
    const expected = {
      successes: successes.map(({ id, prepared: p, metadata: m }) => ({ id, cluster_id: 'cluster "x"', topic_name: 'orders/ü', partition_id: m.partition, offset: m.offset, timestamp: new Date(m.timestamp).toISOString(), key: p.key, value: p.value })),
      failures,
    };
    expect(text).toBe(JSON.stringify(expected));
    expect(produceBatchResponseSchema.parse(JSON.parse(text))).toEqual(expected);
  });

  it('answers an all-failed batch with no successes', () => {
    expect(JSON.parse(batchAnswerJson('c', 't', [], [{ id: 'a', error_code: 400, message: 'm' }]))).toEqual({ successes: [], failures: [{ id: 'a', error_code: 400, message: 'm' }] });
  });
});
