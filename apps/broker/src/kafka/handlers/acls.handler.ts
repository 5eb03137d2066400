import {
  AclBinding,
  AclFilter,
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
  Encodable,
  aclFilterProblem,
  aclMatchesFilter,
  sameAclBinding,
} from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { untilVisible } from './admin-topics.handler';

const INVALID_REQUEST = 42;

/** DescribeAcls: served from this broker's metadata image, grouped by resource pattern as Kafka does. */
export function handleDescribeAcls(ctx: BrokerContext, request: DescribeAclsRequest): Encodable<DescribeAclsResponse> {
  const filter: AclFilter = {
    resourceType: request.resourceTypeFilter,
    resourceName: request.resourceNameFilter,
    patternType: request.patternTypeFilter,
    principal: request.principalFilter,
    host: request.hostFilter,
    operation: request.operation,
    permissionType: request.permissionType,
  };
  const problem = aclFilterProblem(filter);
  if (problem) return { throttleTimeMs: 0, errorCode: INVALID_REQUEST, errorMessage: problem, resources: [] };
  const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>();
  for (const binding of ctx.metadata().acls.values()) {
    if (!aclMatchesFilter(binding, filter)) continue;
    const key = `${binding.resourceType}\u0000${binding.patternType}\u0000${binding.resourceName}`;
    const resource = resources.get(key) ?? { resourceType: binding.resourceType, resourceName: binding.resourceName, patternType: binding.patternType, acls: [] };
    resource.acls.push({ principal: binding.principal, host: binding.host, operation: binding.operation, permissionType: binding.permissionType });
    resources.set(key, resource);
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: [...resources.values()] };
}

/** CreateAcls, forwarded to the active controller; answered once this broker's image has the bindings. */
export async function handleCreateAcls(ctx: BrokerContext, request: CreateAclsRequest): Promise<Encodable<CreateAclsResponse>> {
  const creations: AclBinding[] = request.creations.map((c) => ({
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType,
  }));
  const answer = await ctx.controller.call('acls.create', { creations });
  const created = creations.filter((_binding, i) => answer.results[i]?.errorCode === 0);
  await untilVisible(() => created.every((b) => [...ctx.metadata().acls.values()].some((stored) => sameAclBinding(stored, b))), 5_000);
  return { throttleTimeMs: 0, results: answer.results.map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage })) };
}

/** DeleteAcls, forwarded to the active controller; reports what each filter removed. */
export async function handleDeleteAcls(ctx: BrokerContext, request: DeleteAclsRequest): Promise<Encodable<DeleteAclsResponse>> {
  const filters: AclFilter[] = request.filters.map((f) => ({
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  }));
  const answer = await ctx.controller.call('acls.delete', { filters });
  const removed = answer.results.flatMap((r) => r.matching);
  await untilVisible(() => removed.every((b) => ![...ctx.metadata().acls.values()].some((stored) => sameAclBinding(stored, b))), 5_000);
  return {
    throttleTimeMs: 0,
    filterResults: answer.results.map((r) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      matchingAcls: r.matching.map((b) => ({ errorCode: 0, errorMessage: null, resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType })),
    })),
  };
}
