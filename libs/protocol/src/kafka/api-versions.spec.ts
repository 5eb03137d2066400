import { apiVersionsTable, isSupportedVersion, supportedApis } from './api-versions';
import { decodeResponse, encodeResponse } from './frames';
import { messageCodec } from './registry';
import { API_KEYS } from './types.generated';

const rangeOf = (apiKey: number) => apiVersionsTable().find((e) => e.apiKey === apiKey);

describe('apiVersionsTable', () => {
  it('starts at the Kafka 4.0 baseline and ends at the newest declared version', () => {
    // Produce v0-v2 are advertised for librdkafka's compression check (KAFKA-18659) but not parsed
    expect(rangeOf(API_KEYS.Produce)).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 11 });
    expect([0, 1, 2, 3].map((v) => isSupportedVersion(API_KEYS.Produce, v))).toEqual([false, false, false, true]);
    // SaslHandshake v0 likewise, for librdkafka's SASL check; v0's unframed tokens are not accepted
    expect(rangeOf(API_KEYS.SaslHandshake)).toEqual({ apiKey: 17, minVersion: 0, maxVersion: 1 });
    expect([0, 1].map((v) => isSupportedVersion(API_KEYS.SaslHandshake, v))).toEqual([false, true]);
    expect(rangeOf(API_KEYS.Fetch)).toEqual({ apiKey: 1, minVersion: 4, maxVersion: 17 });
    expect(rangeOf(API_KEYS.ListOffsets)).toEqual({ apiKey: 2, minVersion: 1, maxVersion: 10 });
    expect(rangeOf(API_KEYS.Metadata)).toEqual({ apiKey: 3, minVersion: 0, maxVersion: 12 });
    expect(rangeOf(API_KEYS.OffsetCommit)).toEqual({ apiKey: 8, minVersion: 2, maxVersion: 9 });
    expect(rangeOf(API_KEYS.OffsetFetch)).toEqual({ apiKey: 9, minVersion: 1, maxVersion: 9 });
    // v0 of the classic group APIs stays advertised for librdkafka < 2.4 (see api-versions.ts)
    expect(rangeOf(API_KEYS.JoinGroup)).toEqual({ apiKey: 11, minVersion: 0, maxVersion: 9 });
    expect(rangeOf(API_KEYS.ApiVersions)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 });
    expect(rangeOf(API_KEYS.CreateTopics)).toEqual({ apiKey: 19, minVersion: 2, maxVersion: 7 });
    expect(rangeOf(API_KEYS.OffsetForLeaderEpoch)).toEqual({ apiKey: 23, minVersion: 2, maxVersion: 4 });
    expect(rangeOf(API_KEYS.CreateAcls)).toEqual({ apiKey: 30, minVersion: 1, maxVersion: 3 });
    expect(rangeOf(API_KEYS.DeleteGroups)).toEqual({ apiKey: 42, minVersion: 1, maxVersion: 2 });
    expect(rangeOf(API_KEYS.EndTxn)).toEqual({ apiKey: 26, minVersion: 0, maxVersion: 4 }); // v5 is unstable
    expect(rangeOf(API_KEYS.DescribeCluster)).toEqual({ apiKey: 60, minVersion: 0, maxVersion: 1 });
  });

  it('lists every declared API once, sorted by key', () => {
    const keys = apiVersionsTable().map((e) => e.apiKey);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(Object.values(API_KEYS).sort((a, b) => a - b));
  });

  it('advertises only what compiles: every advertised version has a request and response codec', () => {
    for (const { apiKey, minVersion: advertisedMin, maxVersion } of apiVersionsTable()) {
      const parsedFrom: Partial<Record<number, number>> = { [API_KEYS.Produce]: 3, [API_KEYS.SaslHandshake]: 1 };
      const minVersion = parsedFrom[apiKey] ?? advertisedMin;
      for (let v = minVersion; v <= maxVersion; v++) {
        expect(isSupportedVersion(apiKey, v)).toBe(true);
        expect(messageCodec(apiKey, v, 'request').version).toBe(v);
        expect(messageCodec(apiKey, v, 'response').version).toBe(v);
      }
      expect(isSupportedVersion(apiKey, minVersion - 1)).toBe(false);
      expect(isSupportedVersion(apiKey, maxVersion + 1)).toBe(false);
    }
  });

  it('fits in an ApiVersions response', () => {
    const apiKeys = apiVersionsTable();
    const frame = encodeResponse(18, 3, 9, { errorCode: 0, apiKeys, throttleTimeMs: 0 });
    expect(decodeResponse(18, 3, frame.subarray(4)).body.apiKeys).toEqual(apiKeys);
  });

  it('names each API after its request schema', () => {
    expect(supportedApis().find((a) => a.apiKey === 18)?.name).toBe('ApiVersions');
  });
});
