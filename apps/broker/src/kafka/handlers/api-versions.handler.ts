import { ApiVersionsRequest, ApiVersionsResponse, Encodable, apiVersionsTable } from '@tributary/protocol';
import { since } from '../versioned';

/** ApiVersions: exactly the ranges the codecs can parse (one table, derived from the schemas). */
export function handleApiVersions(_request: ApiVersionsRequest, apiVersion: number): Encodable<ApiVersionsResponse> {
  return { errorCode: 0, apiKeys: apiVersionsTable(), throttleTimeMs: since(apiVersion, 1, 0) };
}
