import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../cluster/kafka.service';
import { GatewayConfig, TopicAcl } from '../config';
import { Principal } from './principal';

export type TopicOperation = 'read' | 'write';

function matches(pattern: string, topic: string): boolean {
  if (pattern.endsWith('*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

/**
 * The gateway's per-principal ACL: which topics a principal may read and write, and whether it
 * may administer topics and groups. No ACLs configured means everything is allowed.
 */
@Injectable()
export class TopicAuthorizer {
  private readonly acls: Map<string, TopicAcl> | null;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.acls = config.acls.length > 0 ? new Map(config.acls.map((acl) => [acl.principal, acl])) : null;
  }

  mayUseTopic(principal: Principal, operation: TopicOperation, topic: string): boolean {
    if (!this.acls) return true;
    return this.acls.get(principal.name)?.[operation].some((pattern) => matches(pattern, topic)) ?? false;
  }

  /** Throws 403 unless `principal` may `operation` on `topic`. */
  requireTopic(principal: Principal, operation: TopicOperation, topic: string): void {
    if (!this.mayUseTopic(principal, operation, topic)) throw new ForbiddenException(`${principal.name} may not ${operation} topic ${topic}`);
  }

  /** Throws 403 unless `principal` may administer topics and groups. */
  requireAdmin(principal: Principal, what: string): void {
    if (this.acls && !this.acls.get(principal.name)?.admin) throw new ForbiddenException(`${principal.name} may not ${what}`);
  }
}
