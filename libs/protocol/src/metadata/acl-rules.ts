import { AclBinding } from './metadata-records';

/** Kafka's ACL enums, with the numbers the wire and the metadata log use. */
export const AclResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const AclPatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The cluster resource's only name. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A literal resource name or principal/host that matches all. */
export const WILDCARD = '*';

/** Describe/delete filters: null fields and the ANY values match everything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const CONCRETE_RESOURCE_TYPES = new Set<number>([2, 3, 4, 5, 6, 7]);
const CONCRETE_OPERATIONS = new Set<number>([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

/** Why `binding` cannot be stored, or null when it can (the checks of Kafka's CreateAcls). */
export function aclBindingProblem(binding: AclBinding): string | null {
  if (!CONCRETE_RESOURCE_TYPES.has(binding.resourceType)) return `resource type ${binding.resourceType} is not a concrete resource type`;
  if (binding.patternType !== AclPatternType.LITERAL && binding.patternType !== AclPatternType.PREFIXED) return `pattern type ${binding.patternType} must be LITERAL (3) or PREFIXED (4)`;
  if (binding.resourceName.length === 0) return 'the resource name is empty';
  if (binding.resourceType === AclResourceType.CLUSTER && binding.resourceName !== CLUSTER_RESOURCE_NAME) return `the cluster resource is named '${CLUSTER_RESOURCE_NAME}'`;
  if (!/^[^:]+:.+$/.test(binding.principal)) return `principal '${binding.principal}' must look like 'User:name'`;
  if (binding.host.length === 0) return "the host is empty (use '*' for any host)";
  if (!CONCRETE_OPERATIONS.has(binding.operation)) return `operation ${binding.operation} is not a concrete operation`;
  if (binding.permissionType !== AclPermissionType.ALLOW && binding.permissionType !== AclPermissionType.DENY) return `permission type ${binding.permissionType} must be ALLOW (3) or DENY (2)`;
  return null;
}

/** Why `filter` is meaningless, or null (UNKNOWN values are refused, as Kafka does). */
export function aclFilterProblem(filter: AclFilter): string | null {
  if (filter.resourceType === AclResourceType.UNKNOWN) return 'resource type UNKNOWN cannot be matched';
  if (filter.patternType === AclPatternType.UNKNOWN) return 'pattern type UNKNOWN cannot be matched';
  if (filter.operation === AclOperation.UNKNOWN) return 'operation UNKNOWN cannot be matched';
  if (filter.permissionType === AclPermissionType.UNKNOWN) return 'permission type UNKNOWN cannot be matched';
  return null;
}

/** Whether a stored binding is selected by a describe/delete filter (Kafka's AclBindingFilter.matches). */
export function aclMatchesFilter(binding: AclBinding, filter: AclFilter): boolean {
  if (filter.resourceType !== AclResourceType.ANY && filter.resourceType !== binding.resourceType) return false;
  if (!patternMatches(binding, filter)) return false;
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && filter.host !== binding.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== binding.operation) return false;
  return filter.permissionType === AclPermissionType.ANY || filter.permissionType === binding.permissionType;
}

function patternMatches(binding: AclBinding, filter: AclFilter): boolean {
  if (filter.patternType === AclPatternType.MATCH) {
    // every stored pattern that would apply to the named resource
    if (filter.resourceName === null) return true;
    if (binding.patternType === AclPatternType.PREFIXED) return filter.resourceName.startsWith(binding.resourceName);
    return binding.resourceName === filter.resourceName || binding.resourceName === WILDCARD;
  }
  if (filter.patternType !== AclPatternType.ANY && filter.patternType !== binding.patternType) return false;
  return filter.resourceName === null || filter.resourceName === binding.resourceName;
}

/** One access to check: who, from where, doing what, to which resource. */
export interface AccessRequest {
  principal: string;
  host: string;
  operation: number;
  resourceType: number;
  resourceName: string;
}

/**
 * Operations that a grant of another operation implies (Kafka's AclAuthorizer): whoever may read,
 * write, delete or alter a resource may describe it; whoever may alter configs may describe them.
 */
const IMPLIED_BY: ReadonlyMap<number, readonly number[]> = new Map([
  [AclOperation.DESCRIBE, [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]],
  [AclOperation.DESCRIBE_CONFIGS, [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
]);

/**
 * Kafka's ACL decision for `request` over `acls`: 'deny' if a DENY rule matches (deny wins),
 * 'allow' if an ALLOW rule for the operation or one implying it matches, and 'no-acls' when no
 * rule at all names the resource (the caller decides, by allow.everyone.if.no.acl.found).
 * Rules match the resource literally, by the '*' literal, or by prefix; the principal exactly or
 * by 'User:*'; the host exactly or by '*'; the operation exactly or by ALL.
 */
export function authorizeAccess(acls: Iterable<AclBinding>, request: AccessRequest): 'allow' | 'deny' | 'no-acls' {
  let anyForResource = false;
  let allowed = false;
  const allowingOperations = IMPLIED_BY.get(request.operation) ?? [request.operation];
  for (const acl of acls) {
    if (acl.resourceType !== request.resourceType || !resourceMatches(acl, request.resourceName)) continue;
    anyForResource = true;
    if (!principalMatches(acl.principal, request.principal) || (acl.host !== WILDCARD && acl.host !== request.host)) continue;
    if (acl.permissionType === AclPermissionType.DENY) {
      if (acl.operation === AclOperation.ALL || acl.operation === request.operation) return 'deny';
    } else if (acl.operation === AclOperation.ALL || allowingOperations.includes(acl.operation)) {
      allowed = true;
    }
  }
  if (allowed) return 'allow';
  return anyForResource ? 'deny' : 'no-acls';
}

function resourceMatches(acl: AclBinding, name: string): boolean {
  if (acl.patternType === AclPatternType.PREFIXED) return name.startsWith(acl.resourceName);
  return acl.resourceName === name || acl.resourceName === WILDCARD;
}

function principalMatches(rule: string, principal: string): boolean {
  if (rule === principal) return true;
  const colon = rule.indexOf(':');
  return rule.slice(colon + 1) === WILDCARD && rule.slice(0, colon) === principal.slice(0, principal.indexOf(':'));
}

/** Whether two bindings are the same rule (stored ACLs carry an id besides; it is not compared). */
export function sameAclBinding(a: AclBinding, b: AclBinding): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;
}
