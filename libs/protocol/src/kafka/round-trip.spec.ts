import { supportedApis } from './api-versions';
import { decodeRequest, decodeResponse, encodeRequest, encodeRequestPieces, encodeResponse, encodeResponsePieces, RequestApiKey } from './frames';
import { Reader } from './reader';
import { messageCodec } from './registry';
import { sampleMessage } from './sample-message';
import { Writer } from './writer';

// Every supported API, every supported version, request and response; each with all fields
// filled with non-default values, and again with every nullable field null.
const cases = supportedApis().flatMap((api) => {
  const out: [string, number, number, 'request' | 'response', boolean][] = [];
  for (let v = api.minVersion; v <= api.maxVersion; v++) {
    for (const kind of ['request', 'response'] as const) {
      for (const nulls of [false, true]) out.push([api.name, api.apiKey, v, kind, nulls]);
    }
  }
  return out;
});

describe('round trip of every API version', () => {
  it.each(cases)('%s (key %d) v%d %s nulls=%s', (_name, apiKey, version, kind, nulls) => {
    const api = supportedApis().find((a) => a.apiKey === apiKey)!;
    const decl = kind === 'request' ? api.request : api.response;
    const value = sampleMessage(decl, version, { nulls });
    const codec = messageCodec(apiKey, version, kind);

    const w = new Writer(8); // small on purpose: exercises growth
    codec.encode(w, value);
    const bytes = w.finish();
    const r = new Reader(bytes);
    expect(codec.decode(r)).toEqual(value);
    expect(r.remaining).toBe(0);

    // Same through the framed API: size prefix equals the rest of the buffer.
    const key = apiKey as RequestApiKey;
    if (kind === 'request') {
      const frame = encodeRequest(key, version, 42, 'client-1', value as never);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeRequest(frame.subarray(4));
      expect(decoded.apiKey).toBe(apiKey);
      expect(decoded.apiVersion).toBe(version);
      expect(decoded.header.correlationId).toBe(42);
      expect(decoded.header.clientId).toBe('client-1');
      expect(decoded.body).toEqual(value);
      // the gathered form (every bytes field referenced, the most pieces there can be) is the same frame
      expect(Buffer.concat(encodeRequestPieces(key, version, 42, 'client-1', value as never, 1)).equals(frame)).toBe(true);
    } else {
      const frame = encodeResponse(key, version, 43, value as never);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      const decoded = decodeResponse(key, version, frame.subarray(4));
      expect(decoded.correlationId).toBe(43);
      expect(decoded.body).toEqual(value);
      expect(Buffer.concat(encodeResponsePieces(key, version, 43, value as never, 1)).equals(frame)).toBe(true);
    }
  });

  it('a gathered Produce request references its record batches instead of copying them, and frames like the copied one', () => {
    const batches = [Buffer.alloc(64 * 1024, 1), Buffer.alloc(100, 2), Buffer.alloc(32 * 1024, 3)];
    const body = { acks: 1, timeoutMs: 1000, topicData: [{ name: 't'.repeat(300), partitionData: batches.map((records, index) => ({ index, records })) }] };
    const pieces = encodeRequestPieces(0, 9, 7, 'c', body, 1024);
    expect(pieces.filter((piece) => piece.buffer === batches[0].buffer || piece.buffer === batches[2].buffer)).toHaveLength(2);
    expect(pieces.some((piece) => piece.buffer === batches[1].buffer)).toBe(false);
    expect(Buffer.concat(pieces).equals(encodeRequest(0, 9, 7, 'c', body))).toBe(true);
  });

  it('a gathered Fetch response references the records read for it instead of copying them, and frames like the copied one', () => {
    const records = [Buffer.alloc(256 * 1024, 1), Buffer.alloc(100, 2)];
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topicId: '5b8e4d5e-0c4a-4c42-9f1e-7a1f3f0e2b11', partitions: records.map((r, partitionIndex) => ({ partitionIndex, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, records: r })) }],
    };
    const pieces = encodeResponsePieces(1, 16, 9, body, 1024);
    expect(pieces.filter((piece) => piece.buffer === records[0].buffer)).toHaveLength(1);
    expect(pieces.some((piece) => piece.buffer === records[1].buffer)).toBe(false);
    expect(Buffer.concat(pieces).equals(encodeResponse(1, 16, 9, body))).toBe(true);
  });

  it('covers a meaningful number of cases', () => {
    expect(supportedApis().length).toBeGreaterThanOrEqual(39);
    expect(cases.length).toBeGreaterThan(500);
  });
});
