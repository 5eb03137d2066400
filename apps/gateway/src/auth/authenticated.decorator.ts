import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiAuthGuard, AuthenticatedRequest } from './api-auth.guard';
import { Principal } from './principal';

export const API_KEY_SCHEME = 'api_key';
export const BEARER_SCHEME = 'bearer';

/** A controller whose routes need credentials (when authentication is on), documented as such. */
export function Authenticated(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(ApiAuthGuard), ApiSecurity(API_KEY_SCHEME), ApiBearerAuth(BEARER_SCHEME));
}

/** The principal ApiAuthGuard resolved for this request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<AuthenticatedRequest>().principal);
