import fc from 'fast-check';
import { supportedApis } from './api-versions';
import { KafkaProtocolError, MalformedMessageError } from './errors';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, RequestApiKey } from './frames';
import { Reader } from './reader';
import { messageCodec } from './registry';
import { sampleMessage } from './sample-message';

const hex = (...parts: string[]) => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');

/** One valid request and response frame (no size prefix) per API at its newest and oldest version. */
const frames = supportedApis().flatMap((api) =>
  [api.minVersion, api.maxVersion].map((version) => {
    const key = api.apiKey as RequestApiKey;
    return {
      label: `${api.name} v${version}`,
      apiKey: key,
      version,
      request: encodeRequest(key, version, 1, 'c', sampleMessage(api.request, version) as never).subarray(4),
      response: encodeResponse(key, version, 1, sampleMessage(api.response, version) as never).subarray(4),
    };
  }),
);

describe('decoding bad input', () => {
  it.each(frames)('every truncation of $label throws MalformedMessageError', ({ apiKey, version, request, response }) => {
    for (let length = 0; length < request.length; length++) {
      expect(() => decodeRequest(request.subarray(0, length))).toThrow(MalformedMessageError);
    }
    for (let length = 0; length < response.length; length++) {
      expect(() => decodeResponse(apiKey, version, response.subarray(0, length))).toThrow(MalformedMessageError);
    }
  });

  it('rejects trailing bytes after the body', () => {
    const frame = encodeRequest(18, 3, 1, 'c', {}).subarray(4);
    expect(() => decodeRequest(Buffer.concat([frame, Buffer.from([0])]))).toThrow(/trailing/);
  });

  it('rejects a negative string length in a header', () => {
    expect(() => decodeRequest(hex('0003 0001 00000001 fffe ffffffff'))).toThrow(/negative string length/);
  });

  it('rejects a string length past the end', () => {
    expect(() => decodeRequest(hex('0003 0001 00000001 0010 6162'))).toThrow(MalformedMessageError);
  });

  it('rejects a huge array count without allocating it', () => {
    // Metadata v1 with 2^31-1 topics and no bytes behind the count
    expect(() => decodeRequest(hex('0003 0001 00000001 ffff 7fffffff'))).toThrow(/cannot fit/);
    // Metadata v9 with a compact count of 2^32-2
    expect(() => decodeRequest(hex('0003 0009 00000001 ffff 00 ffffffff0f'))).toThrow(/cannot fit/);
  });

  it('rejects a negative array count', () => {
    expect(() => decodeRequest(hex('0003 0001 00000001 ffff fffffffe'))).toThrow(/negative array length/);
  });

  it('rejects a tagged field whose size runs past the end, and a huge tagged-field count', () => {
    // ApiVersions v3 response: 0 keys, then one tagged field claiming 100 bytes
    expect(() => decodeResponse(18, 3, hex('00000001 0000 01 00000000 01 00 64 00'))).toThrow(/past the end/);
    expect(() => decodeResponse(18, 3, hex('00000001 0000 01 00000000 ffffffff0f'))).toThrow(MalformedMessageError);
  });

  it('never fails with anything but a KafkaProtocolError on random corruption, and never hangs', () => {
    const targets = frames.flatMap((f) => [
      { kind: 'request' as const, f, bytes: f.request },
      { kind: 'response' as const, f, bytes: f.response },
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: targets.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (index, edits) => {
          const { kind, f, bytes } = targets[index];
          const corrupted = Buffer.from(bytes);
          for (const [at, value] of edits) corrupted[at % corrupted.length] = value;
          try {
            if (kind === 'request') decodeRequest(corrupted);
            else decodeResponse(f.apiKey, f.version, corrupted);
          } catch (error) {
            if (!(error instanceof KafkaProtocolError)) throw error;
          }
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('random bytes fed to every body decoder only produce typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        for (const api of supportedApis()) {
          for (const kind of ['request', 'response'] as const) {
            try {
              messageCodec(api.apiKey, api.maxVersion, kind).decode(new Reader(Buffer.from(raw)));
            } catch (error) {
              if (!(error instanceof KafkaProtocolError)) throw error;
            }
          }
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
