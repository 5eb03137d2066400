import { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { Credentials } from '../auth/credentials';
import { ANONYMOUS, Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { SessionAccess } from './ws-session';

/**
 * The REST API's credentials and topic ACL applied to a WebSocket upgrade. Credentials come as
 * X-API-Key or Authorization headers, or as a `token` query parameter (browsers cannot set headers
 * on a WebSocket), tried as an API key, then as a bearer token.
 */
@Injectable()
export class WsAuthenticator {
  constructor(
    private readonly credentials: Credentials,
    private readonly authorizer: TopicAuthorizer,
  ) {}

  /** What the upgrade's principal may do; null when credentials are required and these are missing or unknown. */
  authenticate(request: IncomingMessage, url: URL): SessionAccess | null {
    const principal = this.principalOf(request, url);
    if (!principal) return null;
    return {
      name: principal.name,
      mayRead: (topic) => this.authorizer.mayUseTopic(principal, 'read', topic),
      mayWrite: (topic) => this.authorizer.mayUseTopic(principal, 'write', topic),
    };
  }

  private principalOf(request: IncomingMessage, url: URL): Principal | null {
    const token = url.searchParams.get('token');
    const attempts: { 'x-api-key'?: string; authorization?: string }[] =
      token !== null ? [{ 'x-api-key': token }, { authorization: `Bearer ${token}` }] : [{ 'x-api-key': header(request, 'x-api-key'), authorization: header(request, 'authorization') }];
    for (const headers of attempts) {
      const result = this.credentials.authenticate(headers);
      if (result.kind === 'off') return ANONYMOUS;
      if (result.kind === 'principal') return result.principal;
    }
    return null;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
