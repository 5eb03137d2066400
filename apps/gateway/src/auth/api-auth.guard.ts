import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Credentials } from './credentials';
import { ANONYMOUS, Principal } from './principal';

export type AuthenticatedRequest = Request & { principal: Principal };

/** Resolves the request's credentials to a principal (401 when missing or unknown). */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly credentials: Credentials) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const result = this.credentials.authenticate(request.headers);
    switch (result.kind) {
      case 'off':
        request.principal = ANONYMOUS;
        return true;
      case 'principal':
        request.principal = result.principal;
        return true;
      case 'missing':
      case 'invalid':
        context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="tributary"');
        throw new UnauthorizedException(result.kind === 'missing' ? 'credentials are required: an X-API-Key header or Authorization: Bearer <token>' : 'the API key or bearer token is not valid');
    }
  }
}
