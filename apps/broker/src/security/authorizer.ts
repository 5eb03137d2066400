import { AclBinding, AclResourceType, CLUSTER_RESOURCE_NAME, authorizeAccess } from '@tributary/protocol';
import { ConnectionInfo } from '../network/kafka-server';

export interface AuthorizerSettings {
  /** Off: every request is allowed (the default, as a Kafka broker without authorizer.class.name). */
  enabled: boolean;
  /** Principals allowed everything (super.users), e.g. 'User:admin'. */
  superUsers: readonly string[];
  /** allow.everyone.if.no.acl.found: a resource no ACL names is open to all. */
  allowEveryoneIfNoAclFound: boolean;
}

/** Kafka's StandardAuthorizer decisions over the ACLs of the broker's metadata image. */
export class Authorizer {
  private readonly superUsers: ReadonlySet<string>;

  constructor(
    private readonly settings: AuthorizerSettings,
    private readonly acls: () => Iterable<AclBinding>,
  ) {
    this.superUsers = new Set(settings.superUsers);
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  allows(connection: ConnectionInfo, operation: number, resourceType: number, resourceName: string): boolean {
    if (!this.settings.enabled) return true;
    const principal = connection.session.principal;
    if (this.superUsers.has(principal)) return true;
    const decision = authorizeAccess(this.acls(), { principal, host: connection.remoteAddress, operation, resourceType, resourceName });
    return decision === 'allow' || (decision === 'no-acls' && this.settings.allowEveryoneIfNoAclFound);
  }

  allowsTopic(connection: ConnectionInfo, operation: number, topic: string): boolean {
    return this.allows(connection, operation, AclResourceType.TOPIC, topic);
  }

  allowsGroup(connection: ConnectionInfo, operation: number, groupId: string): boolean {
    return this.allows(connection, operation, AclResourceType.GROUP, groupId);
  }

  allowsCluster(connection: ConnectionInfo, operation: number): boolean {
    return this.allows(connection, operation, AclResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  }
}
