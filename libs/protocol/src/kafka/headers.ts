import { apiDeclarations } from './api-versions';
import { MessageCodec, compileMessage } from './compile';
import { Reader } from './reader';
import { MESSAGE_DECLARATIONS } from './schemas.generated';
import { RequestHeader, ResponseHeader } from './types.generated';
import { VersionRange, inRange, parseVersions } from './schema';
import { Writer } from './writer';

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

function headerDeclaration(name: string) {
  const decl = MESSAGE_DECLARATIONS.find((d) => d.name === name);
  if (decl === undefined) throw new Error(`missing ${name} declaration`);
  return decl;
}

const requestHeaderCodecs: readonly MessageCodec[] = [0, 1, 2].map((v) =>
  compileMessage(headerDeclaration('RequestHeader'), v),
);
const responseHeaderCodecs: readonly MessageCodec[] = [0, 1].map((v) =>
  compileMessage(headerDeclaration('ResponseHeader'), v),
);

/** Parsed once per API key: every request and response header asks. */
const flexibleRanges = new Map<number, VersionRange>();
const NO_VERSIONS: VersionRange = { min: 0, max: -1 };

/**
 * Whether an API version uses flexible encodings. The request's open-ended flexibleVersions
 * ("3+") also answers for versions newer than we know, which is how an ApiVersions request from
 * a newer client still gets its header parsed.
 */
export function isFlexibleVersion(apiKey: number, apiVersion: number): boolean {
  let range = flexibleRanges.get(apiKey);
  if (range === undefined) {
    const api = apiDeclarations(apiKey);
    range = api === undefined ? NO_VERSIONS : parseVersions(api.request.flexibleVersions);
    flexibleRanges.set(apiKey, range);
  }
  return inRange(range, apiVersion);
}

/** Header v2 for flexible versions, else v1; v0 only for ControlledShutdown v0. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

/** Header v1 for flexible versions, else v0; ApiVersions responses always use v0 (KIP-511). */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

/** Header v0 carries no client id; it decodes as "" (Kafka treats a null client id as "" too). */
export function writeRequestHeader(w: Writer, header: RequestHeader): void {
  const version = requestHeaderVersion(header.requestApiKey, header.requestApiVersion);
  requestHeaderCodecs[version].encode(w, { ...header });
}

export function readRequestHeader(r: Reader): RequestHeader {
  // The version is only known after peeking at the key and version, which every header starts with.
  const at = r.offset;
  const apiKey = r.int16();
  const apiVersion = r.int16();
  r.offset = at;
  const version = requestHeaderVersion(apiKey, apiVersion);
  return requestHeaderCodecs[version].decode(r) as unknown as RequestHeader;
}

export function writeResponseHeader(w: Writer, headerVersion: number, correlationId: number): void {
  responseHeaderCodecs[headerVersion].encode(w, { correlationId });
}

export function readResponseHeader(r: Reader, headerVersion: number): ResponseHeader {
  return responseHeaderCodecs[headerVersion].decode(r) as unknown as ResponseHeader;
}
