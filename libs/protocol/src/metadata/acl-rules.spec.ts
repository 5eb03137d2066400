import { AclBinding } from './metadata-records';
import { AclOperation as Op, AclPatternType as Pattern, AclPermissionType as Permission, AclResourceType as Resource, aclBindingProblem, aclMatchesFilter, authorizeAccess } from './acl-rules';

const acl = (over: Partial<AclBinding>): AclBinding => ({
  resourceType: Resource.TOPIC,
  resourceName: 'orders',
  patternType: Pattern.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: Op.READ,
  permissionType: Permission.ALLOW,
  ...over,
});
const access = (over: Partial<Parameters<typeof authorizeAccess>[1]> = {}) => ({ principal: 'User:alice', host: '10.0.0.1', operation: Op.READ, resourceType: Resource.TOPIC, resourceName: 'orders', ...over });

describe('ACL decisions (Kafka semantics)', () => {
  it('says no-acls when nothing names the resource, and deny when rules exist but none allows', () => {
    expect(authorizeAccess([], access())).toBe('no-acls');
    expect(authorizeAccess([acl({ resourceName: 'payments' })], access())).toBe('no-acls');
    expect(authorizeAccess([acl({ principal: 'User:bob' })], access())).toBe('deny');
  });

  it('matches resources literally, by the * literal and by prefix', () => {
    expect(authorizeAccess([acl({})], access())).toBe('allow');
    expect(authorizeAccess([acl({ resourceName: '*' })], access({ resourceName: 'anything' }))).toBe('allow');
    expect(authorizeAccess([acl({ resourceName: 'ord', patternType: Pattern.PREFIXED })], access())).toBe('allow');
    expect(authorizeAccess([acl({ resourceName: 'ord', patternType: Pattern.LITERAL })], access())).toBe('no-acls');
    expect(authorizeAccess([acl({ resourceType: Resource.GROUP })], access())).toBe('no-acls');
  });

  it('matches principals exactly or by User:*, hosts exactly or by *', () => {
    expect(authorizeAccess([acl({ principal: 'User:*' })], access())).toBe('allow');
    expect(authorizeAccess([acl({ host: '10.0.0.1' })], access())).toBe('allow');
    expect(authorizeAccess([acl({ host: '10.0.0.2' })], access())).toBe('deny');
  });

  it('lets DENY win over ALLOW, and ALL cover every operation', () => {
    expect(authorizeAccess([acl({ operation: Op.ALL }), acl({ permissionType: Permission.DENY })], access())).toBe('deny');
    expect(authorizeAccess([acl({ operation: Op.ALL })], access({ operation: Op.WRITE }))).toBe('allow');
    expect(authorizeAccess([acl({ operation: Op.ALL, permissionType: Permission.DENY, principal: 'User:*' }), acl({})], access())).toBe('deny');
  });

  it('implies DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS, nothing else', () => {
    for (const operation of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) expect(authorizeAccess([acl({ operation })], access({ operation: Op.DESCRIBE }))).toBe('allow');
    expect(authorizeAccess([acl({ operation: Op.ALTER_CONFIGS })], access({ operation: Op.DESCRIBE_CONFIGS }))).toBe('allow');
    expect(authorizeAccess([acl({ operation: Op.DESCRIBE })], access({ operation: Op.READ }))).toBe('deny');
    expect(authorizeAccess([acl({ operation: Op.READ })], access({ operation: Op.WRITE }))).toBe('deny');
  });
});

describe('ACL filters and validation', () => {
  const any = { resourceType: Resource.ANY, resourceName: null, patternType: Pattern.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Permission.ANY };

  it('selects by each field; MATCH selects the rules that apply to a named resource', () => {
    const literal = acl({});
    const prefixed = acl({ resourceName: 'ord', patternType: Pattern.PREFIXED });
    const wildcard = acl({ resourceName: '*' });
    expect(aclMatchesFilter(literal, any)).toBe(true);
    expect(aclMatchesFilter(literal, { ...any, principal: 'User:bob' })).toBe(false);
    expect(aclMatchesFilter(literal, { ...any, operation: Op.WRITE })).toBe(false);
    expect(aclMatchesFilter(prefixed, { ...any, patternType: Pattern.LITERAL })).toBe(false);
    expect(aclMatchesFilter(prefixed, { ...any, resourceName: 'ord', patternType: Pattern.PREFIXED })).toBe(true);
    for (const binding of [literal, prefixed, wildcard]) expect(aclMatchesFilter(binding, { ...any, resourceName: 'orders', patternType: Pattern.MATCH })).toBe(true);
    expect(aclMatchesFilter(acl({ resourceName: 'pay', patternType: Pattern.PREFIXED }), { ...any, resourceName: 'orders', patternType: Pattern.MATCH })).toBe(false);
  });

  it('refuses bindings that could never match', () => {
    expect(aclBindingProblem(acl({}))).toBeNull();
    expect(aclBindingProblem(acl({ resourceType: Resource.ANY }))).toMatch(/resource type/);
    expect(aclBindingProblem(acl({ patternType: Pattern.MATCH }))).toMatch(/pattern type/);
    expect(aclBindingProblem(acl({ principal: 'alice' }))).toMatch(/User:name/);
    expect(aclBindingProblem(acl({ operation: Op.ANY }))).toMatch(/operation/);
    expect(aclBindingProblem(acl({ permissionType: Permission.ANY }))).toMatch(/permission/);
    expect(aclBindingProblem(acl({ resourceType: Resource.CLUSTER, resourceName: 'x' }))).toMatch(/kafka-cluster/);
  });
});
