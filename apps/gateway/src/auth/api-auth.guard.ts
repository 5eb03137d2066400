import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Credentials } from './credentials';
import { ANONYMOUS, Principal } from './principal';

export type AuthenticatedRequest = Request & { principal: Principal };

/**
 * The principal a request's credentials stand for (ANONYMOUS while authentication is off); 401,
 * with its WWW-Authenticate challenge on `response`, when they are missing or unknown.
 */
export function requirePrincipal(credentials: Credentials, headers: IncomingHttpHeaders, response: ServerResponse): Principal {
  const result = credentials.authenticate(headers);
  switch (result.kind) {
    case 'off':
      return ANONYMOUS;
    case 'principal':
      return result.principal;
    case 'missing':
    case 'invalid':
      response.setHeader('WWW-Authenticate', 'Bearer realm="tributary"');
      throw new UnauthorizedException(result.kind === 'missing' ? 'credentials are required: an X-API-Key header or Authorization: Bearer <token>' : 'the API key or bearer token is not valid');
  }
}

/** Resolves the request's credentials to a principal (401 when missing or unknown). */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly credentials: Credentials) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = requirePrincipal(this.credentials, request.headers, context.switchToHttp().getResponse<Response>());
    return true;
  }
}
