import { UnencodableValueError } from './errors';
import {
  decodeRequest,
  decodeResponse,
  encodeApiVersionsUnsupported,
  encodeRequest,
  encodeResponse,
  UnsupportedRequestError,
} from './frames';
import {
  readRequestHeader,
  readResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from './headers';
import { Reader } from './reader';
import { Writer } from './writer';

/** Hand-assembled bytes from FORMAT.md (sections 1-3), so the codec is checked against Kafka, not itself. */
const hex = (...parts: string[]) => parts.join('').replace(/\s+/g, '');
const ascii = (s: string) => Buffer.from(s).toString('hex');

describe('golden bytes', () => {
  it('ApiVersions v3 request: header v2 with a classic client id and tagged fields, compact body', () => {
    const frame = encodeRequest(18, 3, 1, 'abc', { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
    const expected = hex(
      '00000013', // size: 19 bytes follow
      '0012 0003 00000001', // api key 18, version 3, correlation id 1
      '0003', ascii('abc'), // client id: int16-length string even in header v2
      '00', // header tagged fields: none
      '02', ascii('x'), // compact string: length+1
      '02', ascii('1'),
      '00', // body tagged fields: none
    );
    expect(frame.toString('hex')).toBe(expected);
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded).toEqual({
      apiKey: 18,
      apiVersion: 3,
      header: { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'abc' },
      body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' },
    });
  });

  it('Metadata v1 request: header v1, null topics array means all topics', () => {
    const frame = encodeRequest(3, 1, 7, null, { topics: null });
    expect(frame.toString('hex')).toBe(hex('0000000e', '0003 0001 00000007', 'ffff', 'ffffffff'));
  });

  it('Metadata v1 request with two topics uses an int32 count and int16 strings', () => {
    const frame = encodeRequest(3, 1, 7, 'c', { topics: [{ name: 'a' }, { name: 'bc' }] });
    expect(frame.subarray(4).toString('hex')).toBe(
      hex('0003 0001 00000007', '0001', ascii('c'), '00000002', '0001', ascii('a'), '0002', ascii('bc')),
    );
  });

  it('Metadata v9 request (flexible): compact arrays, per-struct tagged sections', () => {
    const frame = encodeRequest(3, 9, 7, 'c', {
      topics: [{ name: 'a' }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    expect(frame.subarray(4).toString('hex')).toBe(
      hex(
        '0003 0009 00000007 0001', ascii('c'), '00', // header v2
        '02', '02', ascii('a'), '00', // 1 topic: compact name, topic tagged fields
        '01', '00', '00', // allow auto create, include cluster ops (v8-10), include topic ops
        '00', // body tagged fields
      ),
    );
  });

  it('ApiVersions v3 response: always header v0 (no tagged section), tagged fields written only when set', () => {
    const frame = encodeResponse(18, 3, 5, {
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5n,
    });
    const expected = hex(
      '00000005', // correlation id; header v0 even though v3 is flexible
      '0000', // error code
      '02', '0012 0000 0004', '00', // compact array of 1; entry tagged section
      '00000000', // throttle time
      '01', '01', '08', '0000000000000005', // 1 tagged field: tag 1 (FinalizedFeaturesEpoch), 8 bytes
    );
    expect(frame.subarray(4).toString('hex')).toBe(expected);
    const decoded = decodeResponse(18, 3, frame.subarray(4));
    expect(decoded.body.finalizedFeaturesEpoch).toBe(5n);
    expect(decoded.body.supportedFeatures).toEqual([]);
    expect(decoded.body.zkMigrationReady).toBe(false);
  });

  it('skips unknown tagged fields and takes defaults for absent ones', () => {
    // two tagged fields: tag 1 (known, FinalizedFeaturesEpoch = 9) and tag 5 (unknown, 2 bytes)
    const body = hex('0000', '01', '00000000', '02', '01', '08', '0000000000000009', '05', '02', 'abcd');
    const frame = Buffer.from(hex('00000005', body), 'hex');
    const decoded = decodeResponse(18, 3, frame);
    expect(decoded.body).toEqual({
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 9n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });

  it('Produce v3 response header is v0 and v9 is v1, per the flexible-versions rule', () => {
    expect(requestHeaderVersion(0, 8)).toBe(1);
    expect(requestHeaderVersion(0, 9)).toBe(2);
    expect(responseHeaderVersion(0, 8)).toBe(0);
    expect(responseHeaderVersion(0, 9)).toBe(1);
    expect(responseHeaderVersion(18, 4)).toBe(0);
    expect(requestHeaderVersion(18, 3)).toBe(2);
    expect(requestHeaderVersion(60, 0)).toBe(2);
    expect(requestHeaderVersion(7, 0)).toBe(0);
  });

  it('request header v0 (ControlledShutdown v0 only) has no client id', () => {
    const w = new Writer();
    writeRequestHeader(w, { requestApiKey: 7, requestApiVersion: 0, correlationId: 3, clientId: 'ignored' });
    expect(w.finish().toString('hex')).toBe(hex('0007 0000 00000003'));
    expect(readRequestHeader(new Reader(w.finish()))).toEqual({
      requestApiKey: 7,
      requestApiVersion: 0,
      correlationId: 3,
      clientId: '',
    });
  });

  it('response header v1 appends an empty tagged-field section', () => {
    const w = new Writer();
    writeResponseHeader(w, 1, 258);
    expect(w.finish().toString('hex')).toBe('0000010200');
    expect(readResponseHeader(new Reader(w.finish()), 1)).toEqual({ correlationId: 258 });
  });

  it('nullable structs carry an int8 presence marker', () => {
    const nullAssignment = encodeResponse(68, 0, 1, { memberId: null, errorMessage: null, assignment: null });
    expect(nullAssignment.subarray(4).toString('hex')).toBe(
      hex('00000001 00', '00000000 0000 00 00 00000000 00000000', 'ff', '00'),
    );
    const withAssignment = encodeResponse(68, 0, 1, { assignment: { topicPartitions: [] } });
    expect(withAssignment.subarray(4).toString('hex')).toBe(
      hex('00000001 00', '00000000 0000 00 00 00000000 00000000', '01', '01', '00', '00'),
    );
  });

  it('refuses a non-default value in a version that lacks a non-ignorable field', () => {
    expect(() => encodeRequest(3, 3, 1, null, { topics: null, allowAutoTopicCreation: false })).toThrow(
      UnencodableValueError,
    );
    // the default is fine, and ignorable fields are dropped silently
    expect(() => encodeRequest(3, 3, 1, null, { topics: null, allowAutoTopicCreation: true })).not.toThrow();
    expect(() => encodeRequest(18, 2, 1, null, { clientSoftwareName: 'x' })).not.toThrow();
  });

  it('refuses null where the version does not allow it', () => {
    expect(() => encodeRequest(3, 0, 1, null, { topics: null })).toThrow(UnencodableValueError);
    expect(() => encodeRequest(18, 3, 1, null, { clientSoftwareName: null as unknown as string })).toThrow(
      UnencodableValueError,
    );
  });
});

describe('unsupported versions', () => {
  it('parses the header of a too-new ApiVersions request so the broker can answer with v0', () => {
    // ApiVersions v9: header v2 by the open "3+" flexible rule; body unknown to us.
    const frame = Buffer.from(hex('0012 0009 0000002a 0001', ascii('c'), '00', '0201'), 'hex');
    let error: unknown;
    try {
      decodeRequest(frame);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedRequestError);
    const unsupported = error as UnsupportedRequestError;
    expect(unsupported.code).toBe(35);
    expect(unsupported.header).toEqual({ requestApiKey: 18, requestApiVersion: 9, correlationId: 42, clientId: 'c' });

    const answer = encodeApiVersionsUnsupported(42, 0, 4);
    expect(answer.toString('hex')).toBe(hex('00000010', '0000002a', '0023', '00000001', '0012 0000 0004'));
  });

  it('rejects versions below the Kafka 4.0 baseline and unknown API keys', () => {
    const produceV2 = Buffer.from(hex('0000 0002 00000001 ffff'), 'hex');
    expect(() => decodeRequest(produceV2)).toThrow(UnsupportedRequestError);
    const unknownKey = Buffer.from(hex('03e7 0000 00000001 ffff'), 'hex');
    expect(() => decodeRequest(unknownKey)).toThrow(UnsupportedRequestError);
    expect(() => encodeRequest(1, 3, 1, null, {})).toThrow(/unsupported/);
  });
});
