import { singleRecordTarget } from './single-record-route';

const LIMIT = 1024;

function request(overrides: { method?: string; url?: string; headers?: Record<string, string> } = {}) {
  return {
    method: overrides.method ?? 'POST',
    url: overrides.url ?? '/v3/clusters/c-1/topics/orders/records',
    headers: overrides.headers ?? { 'content-type': 'application/json', 'content-length': '20' },
  };
}

describe('which requests the direct single-record route answers', () => {
  it('takes a POST of one JSON record to the records path, with the path decoded and the query dropped', () => {
    expect(singleRecordTarget(request(), LIMIT)).toEqual({ clusterId: 'c-1', topicName: 'orders', path: '/v3/clusters/c-1/topics/orders/records' });
    expect(singleRecordTarget(request({ url: '/v3/clusters/c-1/topics/my%20topic/records?x=1' }), LIMIT)).toEqual({ clusterId: 'c-1', topicName: 'my topic', path: '/v3/clusters/c-1/topics/my%20topic/records' });
    expect(singleRecordTarget(request({ headers: { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(LIMIT) } }), LIMIT)).not.toBeNull();
  });

  it('leaves to express what express answers differently: streams, other types and charsets, compression, empty or too large bodies', () => {
    const leftToExpress = [
      request({ headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }),
      request({ headers: { 'content-type': 'text/plain', 'content-length': '20' } }),
      request({ headers: { 'content-type': 'application/json; charset=latin1', 'content-length': '20' } }),
      request({ headers: { 'content-type': 'application/vnd.api+json', 'content-length': '20' } }),
      request({ headers: { 'content-length': '20' } }),
      request({ headers: { 'content-type': 'application/json', 'content-length': '20', 'content-encoding': 'gzip' } }),
      request({ headers: { 'content-type': 'application/json', 'content-length': '0' } }),
      request({ headers: { 'content-type': 'application/json', 'content-length': String(LIMIT + 1) } }),
      request({ headers: { 'content-type': 'application/json', 'content-length': '1e3' } }),
    ];
    for (const r of leftToExpress) expect([r.headers, singleRecordTarget(r, LIMIT)]).toEqual([r.headers, null]);
  });

  it('leaves other methods and paths to express: the batch, trailing slashes, other routes, malformed escapes', () => {
    for (const [method, url] of [
      ['GET', '/v3/clusters/c-1/topics/orders/records'],
      ['POST', '/v3/clusters/c-1/topics/orders/records:batch'],
      ['POST', '/v3/clusters/c-1/topics/orders/records/'],
      ['POST', '/v3/clusters/c-1/topics/orders'],
      ['POST', '/v3/clusters/c-1/topics/a/b/records'],
      ['POST', '/V3/clusters/c-1/topics/orders/records'],
      ['POST', '/v3/clusters/c-1/topics/%E0%A4%A/records'],
    ]) {
      expect([method, url, singleRecordTarget(request({ method, url }), LIMIT)]).toEqual([method, url, null]);
    }
  });
});
