// The console's connection to the gateway that served it: the generated REST SDK with the
// credential the user gave (an API key as X-API-Key, or a bearer token as Authorization: Bearer),
// and the WebSocket URL (the credential goes as its `token` parameter).
import { Client, createClient, createConfig, rest } from '@tributary/client/browser';

const CREDENTIAL_STORAGE = 'tributary.console.credential';

/** What the user signed in with; the gateway's API keys and bearer tokens map to principals alike. */
export interface Credential {
  kind: 'apiKey' | 'bearer';
  secret: string;
}

/** A REST error: the HTTP status and the gateway's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class Gateway {
  readonly client: Client;
  private clusterIdOnce: Promise<string> | null = null;

  constructor(readonly credential: Credential | null) {
    // the SDK asks for a token per security scheme an operation declares (each takes both): answer only the one signed in with
    const tokenFor = (scheme: { type: string; scheme?: string }) => {
      if (credential?.kind === 'apiKey' && scheme.type === 'apiKey') return credential.secret;
      if (credential?.kind === 'bearer' && scheme.type === 'http' && scheme.scheme === 'bearer') return credential.secret;
      return undefined;
    };
    this.client = createClient(createConfig({ baseUrl: location.origin, auth: tokenFor }));
  }

  /** With the credential kept for this browser tab (sessionStorage), if any. */
  static fromSession(): Gateway {
    return new Gateway(parseCredential(sessionStorage.getItem(CREDENTIAL_STORAGE)));
  }

  static remember(credential: Credential | null): Gateway {
    if (credential === null) sessionStorage.removeItem(CREDENTIAL_STORAGE);
    else sessionStorage.setItem(CREDENTIAL_STORAGE, JSON.stringify(credential));
    return new Gateway(credential);
  }

  /** The id of the one cluster behind the gateway, asked once (the /v3 paths need it). */
  clusterId(): Promise<string> {
    this.clusterIdOnce ??= call(rest.listClusters({ client: this.client, throwOnError: true })).then((list) => {
      const cluster = list.data[0];
      if (!cluster) throw new ApiError(503, 'the gateway reports no cluster');
      return cluster.cluster_id;
    });
    this.clusterIdOnce.catch(() => (this.clusterIdOnce = null));
    return this.clusterIdOnce;
  }

  /** ws:// or wss:// URL of /v1/ws on this gateway. */
  webSocketUrl(): string {
    return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/v1/ws`;
  }
}

function parseCredential(text: string | null): Credential | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<Credential>;
    return (value.kind === 'apiKey' || value.kind === 'bearer') && typeof value.secret === 'string' ? { kind: value.kind, secret: value.secret } : null;
  } catch {
    return null;
  }
}

/** The data of an SDK call made with throwOnError, or an ApiError with the gateway's status and message. */
export async function call<T>(request: Promise<{ data: T }>): Promise<T> {
  try {
    return (await request).data;
  } catch (error) {
    throw toApiError(error);
  }
}

function toApiError(error: unknown): Error {
  if (typeof error === 'object' && error !== null && 'error_code' in error && 'message' in error) {
    const body = error as { error_code: unknown; message: unknown };
    return new ApiError(Number(body.error_code), String(body.message));
  }
  if (error instanceof TypeError) return new ApiError(0, `the gateway did not answer (${error.message})`);
  if (error instanceof Error) return error;
  return new ApiError(0, typeof error === 'string' && error !== '' ? error : 'the request failed');
}
