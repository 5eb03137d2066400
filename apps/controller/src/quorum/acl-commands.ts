import { randomUUID } from 'node:crypto';
import { AclBinding, AclFilter, CreateAclsCommand, DeleteAclsCommand, DeleteAclsFilterResult, MetadataImage, MetadataRecord, aclBindingProblem, aclFilterProblem, aclMatchesFilter, sameAclBinding } from '@tributary/protocol';
import { ErrorResult, OK, fail } from './controller-errors';
import { CommandOutcome } from './topic-commands';

/** CreateAcls: valid bindings become ACL records (a binding already stored is not duplicated). */
export function createAcls(image: MetadataImage, command: CreateAclsCommand, newId: () => string = randomUUID): CommandOutcome<ErrorResult> {
  const records: MetadataRecord[] = [];
  const stored = [...image.acls.values()];
  const results = command.creations.map((binding): ErrorResult => {
    const problem = aclBindingProblem(binding);
    if (problem) return fail('INVALID_REQUEST', problem);
    if (stored.some((existing) => sameAclBinding(existing, binding))) return OK;
    stored.push(binding);
    records.push({ type: 'acl', id: newId(), ...pick(binding) });
    return OK;
  });
  return { results, records };
}

/** DeleteAcls: every binding a filter matches is removed once, and reported under that filter. */
export function deleteAcls(image: MetadataImage, command: DeleteAclsCommand): CommandOutcome<DeleteAclsFilterResult> {
  const records: MetadataRecord[] = [];
  const removed = new Set<string>();
  const results = command.filters.map((filter: AclFilter): DeleteAclsFilterResult => {
    const problem = aclFilterProblem(filter);
    if (problem) return { ...fail('INVALID_REQUEST', problem), matching: [] };
    const matching: AclBinding[] = [];
    for (const [id, binding] of image.acls) {
      if (!aclMatchesFilter(binding, filter)) continue;
      matching.push(pick(binding));
      if (!removed.has(id)) records.push({ type: 'removeAcl', id });
      removed.add(id);
    }
    return { ...OK, matching };
  });
  return { results, records };
}

function pick(b: AclBinding): AclBinding {
  return { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType };
}
