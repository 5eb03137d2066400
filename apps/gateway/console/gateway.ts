// The console's connection to the gateway that served it: the generated REST SDK with the API
// key the user gave (X-API-Key), and the WebSocket URL (the key as its `token` parameter).
import { Client, createClient, createConfig, rest } from '@tributary/client/browser';

const API_KEY_STORAGE = 'tributary.console.apiKey';

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

  constructor(readonly apiKey: string | null) {
    this.client = createClient(createConfig({ baseUrl: location.origin, auth: (scheme) => (scheme.type === 'apiKey' ? (apiKey ?? undefined) : undefined) }));
  }

  /** With the key kept for this browser tab (sessionStorage), if any. */
  static fromSession(): Gateway {
    return new Gateway(sessionStorage.getItem(API_KEY_STORAGE));
  }

  static remember(apiKey: string | null): Gateway {
    if (apiKey === null) sessionStorage.removeItem(API_KEY_STORAGE);
    else sessionStorage.setItem(API_KEY_STORAGE, apiKey);
    return new Gateway(apiKey);
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
