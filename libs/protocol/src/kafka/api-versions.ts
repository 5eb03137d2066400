import { MESSAGE_DECLARATIONS } from './schemas.generated';
import { MessageDeclaration, parseVersions } from './schema';

/**
 * Which API versions this codec serves, derived from the same declarations it compiles, so the
 * ApiVersions answer advertises exactly what can be parsed.
 *
 * Ranges run from the Kafka 4.0 baseline (KIP-896 removed the versions the schema files mark as
 * deprecated) up to the newest version whose request AND response are both declared.
 * Exceptions to "first non-deprecated version", per the reference notes:
 *  - Produce: Kafka 4.0 removed only v0-2 (v3 is the baseline) although the file deprecates 0-6.
 *  - Metadata: every version is kept (the file deprecates 0-3, Kafka 4.0 still serves them).
 * A newest version marked latestVersionUnstable (EndTxn v5 here) is not served, as Kafka does
 * unless unstable.api.versions.enable is set: its semantics may still change.
 */
const BASELINE_OVERRIDES: ReadonlyMap<number, number> = new Map([
  [0, 3], // Produce
  [3, 0], // Metadata
  // librdkafka (kcat, confluent-kafka) before 2.4 enables its consumer-group support only when
  // the broker advertises v0 of these; their v0 bodies are still parsed, so keep them.
  [10, 0], // FindCoordinator
  [11, 0], // JoinGroup
  [12, 0], // Heartbeat
  [13, 0], // LeaveGroup
  [14, 0], // SyncGroup
]);

/**
 * Versions advertised below what we parse, as Kafka 4 does (KAFKA-18659): librdkafka before 2.10
 * compresses a batch only when the broker lists Produce v0 (lz4, gzip, snappy) or a range
 * "from v0 to v7" (zstd), and otherwise silently sends it uncompressed. Requests in the gap are
 * still refused as unsupported versions.
 */
const ADVERTISED_MIN_OVERRIDES: ReadonlyMap<number, number> = new Map([
  [0, 0], // Produce
  // librdkafka before 2.10 turns SASL on only when SaslHandshake v0 is listed; it then sends v1
  // (the highest) followed by SaslAuthenticate, which is what is parsed.
  [17, 0], // SaslHandshake
]);

export interface ApiDeclarations {
  readonly apiKey: number;
  /** "Produce", "Fetch", ... (the request name without its suffix). */
  readonly name: string;
  readonly request: MessageDeclaration;
  readonly response: MessageDeclaration;
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface ApiVersionRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

function buildApis(): ReadonlyMap<number, ApiDeclarations> {
  const requests = new Map<number, MessageDeclaration>();
  const responses = new Map<number, MessageDeclaration>();
  for (const decl of MESSAGE_DECLARATIONS) {
    if (decl.apiKey === undefined) continue;
    (decl.type === 'request' ? requests : responses).set(decl.apiKey, decl);
  }
  const apis = new Map<number, ApiDeclarations>();
  for (const [apiKey, request] of [...requests].sort((a, b) => a[0] - b[0])) {
    const response = responses.get(apiKey);
    if (response === undefined) continue;
    const requestRange = parseVersions(request.validVersions);
    const responseRange = parseVersions(response.validVersions);
    const deprecated = parseVersions(request.deprecatedVersions);
    const firstValid = Math.max(requestRange.min, responseRange.min);
    const firstKept = deprecated.min === firstValid ? deprecated.max + 1 : firstValid;
    const minVersion = Math.max(firstValid, BASELINE_OVERRIDES.get(apiKey) ?? firstKept);
    const unstable = request.latestVersionUnstable || response.latestVersionUnstable ? 1 : 0;
    const maxVersion = Math.min(requestRange.max, responseRange.max) - unstable;
    if (minVersion > maxVersion) continue;
    apis.set(apiKey, { apiKey, name: request.name.replace(/Request$/, ''), request, response, minVersion, maxVersion });
  }
  return apis;
}

const APIS = buildApis();

export function apiDeclarations(apiKey: number): ApiDeclarations | undefined {
  return APIS.get(apiKey);
}

export function supportedApis(): readonly ApiDeclarations[] {
  return [...APIS.values()];
}

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const api = APIS.get(apiKey);
  return api !== undefined && apiVersion >= api.minVersion && apiVersion <= api.maxVersion;
}

/** The api_keys entries of an ApiVersions response, sorted by key. */
export function apiVersionsTable(): ApiVersionRange[] {
  return supportedApis().map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion: ADVERTISED_MIN_OVERRIDES.get(apiKey) ?? minVersion, maxVersion }));
}
