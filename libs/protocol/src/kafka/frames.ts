import { isSupportedVersion } from './api-versions';
import { MessageValue } from './compile';
import { KafkaProtocolError, MalformedMessageError } from './errors';
import {
  readRequestHeader,
  readResponseHeader,
  responseHeaderVersion,
  writeRequestHeader,
  writeResponseHeader,
} from './headers';
import { Reader } from './reader';
import { messageCodec } from './registry';
import { RequestBodyByApiKey, RequestHeader, ResponseBodyByApiKey } from './types.generated';
import { Writer } from './writer';

/**
 * Whole request/response frames.
 *
 * Conventions: decoders take a frame WITHOUT its int32 size prefix (the connection's framer has
 * already split the stream on it); encoders return a frame WITH the size prefix, ready to write
 * to the socket. A frame must be consumed exactly; trailing bytes are a malformed message.
 */

/** Input accepted by encoders: any field may be omitted and then takes its schema default. */
export type Encodable<T> = T extends Buffer
  ? T
  : T extends readonly (infer E)[]
    ? Encodable<E>[]
    : T extends bigint
      ? bigint | number
      : T extends object
        ? { [K in keyof T]?: Encodable<T[K]> }
        : T;

export type RequestApiKey = keyof RequestBodyByApiKey;

/** A decoded request; switch on `apiKey` to get the body's type. */
export type DecodedRequest = {
  [K in RequestApiKey]: { apiKey: K; apiVersion: number; header: RequestHeader; body: RequestBodyByApiKey[K] };
}[RequestApiKey];

export interface DecodedResponse<K extends RequestApiKey = RequestApiKey> {
  correlationId: number;
  body: ResponseBodyByApiKey[K];
}

/**
 * A request for an API or version we do not serve. Its header was parsed (by the flexible-versions
 * rule), so the broker can still answer: for ApiVersions, with a v0 body carrying
 * UNSUPPORTED_VERSION; for other APIs Kafka closes the connection.
 */
export class UnsupportedRequestError extends KafkaProtocolError {
  constructor(readonly header: RequestHeader) {
    super(
      'UNSUPPORTED_VERSION',
      `unsupported api key ${header.requestApiKey} version ${header.requestApiVersion}`,
    );
    this.name = 'UnsupportedRequestError';
  }
}

function expectConsumed(r: Reader, what: string): void {
  if (r.remaining !== 0) throw new MalformedMessageError(`${r.remaining} unexpected trailing bytes after ${what}`);
}

export function decodeRequest(frame: Buffer): DecodedRequest {
  const r = new Reader(frame);
  const header = readRequestHeader(r);
  const apiKey = header.requestApiKey;
  const apiVersion = header.requestApiVersion;
  if (!isSupportedVersion(apiKey, apiVersion)) throw new UnsupportedRequestError(header);
  const body = messageCodec(apiKey, apiVersion, 'request').decode(r);
  expectConsumed(r, `request ${apiKey} v${apiVersion}`);
  return { apiKey, apiVersion, header, body } as unknown as DecodedRequest;
}

export function encodeRequest<K extends RequestApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: Encodable<RequestBodyByApiKey[K]>,
): Buffer {
  const codec = messageCodec(apiKey, apiVersion, 'request');
  return Writer.pooled((w) => {
    const sizeAt = w.reserveInt32();
    writeRequestHeader(w, { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId });
    codec.encode(w, body as MessageValue);
    w.patchInt32(sizeAt, w.offset - 4);
  });
}

/**
 * Record batches of at least this size are written from the buffers that hold them (the
 * producer's built batches, the bytes a Fetch read from the log) instead of copied into the frame.
 */
export const GATHER_MIN_BYTES = 8 * 1024;

/**
 * A request frame as pieces for one writev: record batches of at least `gatherMinBytes` are
 * referenced, not copied (a Produce request is mostly batches the producer has built already).
 */
export function encodeRequestPieces<K extends RequestApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: Encodable<RequestBodyByApiKey[K]>,
  gatherMinBytes = GATHER_MIN_BYTES,
): Buffer[] {
  return gatheredFrame(gatherMinBytes, (w) => {
    writeRequestHeader(w, { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId });
    messageCodec(apiKey, apiVersion, 'request').encode(w, body as MessageValue);
  });
}

/** A size-prefixed frame written by `fill` into a gathering writer; the prefix sits in the first piece, with the header. */
function gatheredFrame(gatherMinBytes: number, fill: (w: Writer) => void): Buffer[] {
  const w = Writer.gathering(gatherMinBytes);
  w.reserveInt32();
  fill(w);
  const pieces = w.finishPieces();
  let size = 0;
  for (const piece of pieces) size += piece.length;
  pieces[0].writeInt32BE(size - 4, 0);
  return pieces;
}

export function encodeResponse<K extends RequestApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseBodyByApiKey[K]>,
): Buffer {
  const codec = messageCodec(apiKey, apiVersion, 'response');
  return Writer.pooled((w) => {
    const sizeAt = w.reserveInt32();
    writeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId);
    codec.encode(w, body as MessageValue);
    w.patchInt32(sizeAt, w.offset - 4);
  });
}

/**
 * A response frame as pieces for one writev: record batches of at least `gatherMinBytes` are
 * referenced, not copied (a Fetch response is mostly the bytes read from the log for it).
 */
export function encodeResponsePieces<K extends RequestApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseBodyByApiKey[K]>,
  gatherMinBytes = GATHER_MIN_BYTES,
): Buffer[] {
  return gatheredFrame(gatherMinBytes, (w) => {
    writeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId);
    messageCodec(apiKey, apiVersion, 'response').encode(w, body as MessageValue);
  });
}

/** Decodes a response; the caller knows apiKey/apiVersion from the request it sent. */
export function decodeResponse<K extends RequestApiKey>(apiKey: K, apiVersion: number, frame: Buffer): DecodedResponse<K> {
  const codec = messageCodec(apiKey, apiVersion, 'response');
  const r = new Reader(frame);
  const { correlationId } = readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion));
  const body = codec.decode(r) as unknown as ResponseBodyByApiKey[K];
  expectConsumed(r, `response ${apiKey} v${apiVersion}`);
  return { correlationId, body };
}

/** Reads only the correlation id of a response frame (the first four bytes in every header version). */
export function peekCorrelationId(frame: Buffer): number {
  return new Reader(frame).int32();
}

/**
 * The answer to an ApiVersions request we cannot parse (version too new): an ApiVersions v0 body
 * with UNSUPPORTED_VERSION listing only ApiVersions' own range, so the client retries lower.
 */
export function encodeApiVersionsUnsupported(correlationId: number, minVersion: number, maxVersion: number): Buffer {
  return encodeResponse(18, 0, correlationId, {
    errorCode: 35,
    apiKeys: [{ apiKey: 18, minVersion, maxVersion }],
  });
}
