import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GATEWAY_CONFIG } from '../cluster/kafka.service';
import { GatewayConfig } from '../config';
import { Principal } from './principal';

export type Authentication = { kind: 'off' } | { kind: 'missing' } | { kind: 'invalid' } | { kind: 'principal'; principal: Principal };

/** Looked up by digest, so no secret is ever compared byte by byte (no timing leak). */
function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The configured API keys (`X-API-Key: <key>`) and bearer tokens (`Authorization: Bearer <token>`)
 * and the principals they stand for. With none configured, authentication is off.
 */
@Injectable()
export class Credentials {
  private readonly apiKeys: Map<string, Principal>;
  private readonly bearerTokens: Map<string, Principal>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.apiKeys = new Map(config.apiKeys.map(({ key, principal }) => [digest(key), { name: principal }]));
    this.bearerTokens = new Map(config.bearerTokens.map(({ token, principal }) => [digest(token), { name: principal }]));
  }

  get enabled(): boolean {
    return this.apiKeys.size + this.bearerTokens.size > 0;
  }

  authenticate(headers: { 'x-api-key'?: string | string[]; authorization?: string }): Authentication {
    if (!this.enabled) return { kind: 'off' };
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string') return this.lookUp(this.apiKeys, apiKey);
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (bearer) return this.lookUp(this.bearerTokens, bearer[1]);
    return headers.authorization !== undefined || apiKey !== undefined ? { kind: 'invalid' } : { kind: 'missing' };
  }

  private lookUp(known: Map<string, Principal>, secret: string): Authentication {
    const principal = known.get(digest(secret));
    return principal ? { kind: 'principal', principal } : { kind: 'invalid' };
  }
}
