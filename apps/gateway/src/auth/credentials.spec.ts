import { gatewayConfigSchema } from '../config';
import { Credentials } from './credentials';
import { TopicAuthorizer } from './topic-authorizer';

const config = gatewayConfigSchema.parse({
  apiKeys: '[{"key":"alice-key-123","principal":"User:alice"}]',
  bearerTokens: [{ token: 'bob-token-123', principal: 'User:bob' }],
  acls: [{ principal: 'User:alice', read: ['*'], write: ['orders', 'logs-*'], admin: true }, { principal: 'User:bob', read: ['orders'] }],
});

describe('gateway credentials and topic ACL', () => {
  it('is off without keys or tokens, so every request is anonymous', () => {
    const off = new Credentials(gatewayConfigSchema.parse({}));
    expect(off.enabled).toBe(false);
    expect(off.authenticate({})).toEqual({ kind: 'off' });
  });

  it('maps API keys and bearer tokens to their principals and tells missing from wrong credentials', () => {
    const credentials = new Credentials(config);
    expect(credentials.authenticate({ 'x-api-key': 'alice-key-123' })).toEqual({ kind: 'principal', principal: { name: 'User:alice' } });
    expect(credentials.authenticate({ authorization: 'Bearer bob-token-123' })).toEqual({ kind: 'principal', principal: { name: 'User:bob' } });
    expect(credentials.authenticate({})).toEqual({ kind: 'missing' });
    expect(credentials.authenticate({ 'x-api-key': 'bob-token-123' })).toEqual({ kind: 'invalid' });
    expect(credentials.authenticate({ authorization: 'Basic Ym9iOng=' })).toEqual({ kind: 'invalid' });
  });

  it('allows topics by exact name, prefix or *, and denies principals without an entry', () => {
    const acl = new TopicAuthorizer(config);
    const alice = { name: 'User:alice' };
    const bob = { name: 'User:bob' };
    expect(acl.mayUseTopic(alice, 'write', 'logs-web')).toBe(true);
    expect(acl.mayUseTopic(alice, 'write', 'payments')).toBe(false);
    expect(acl.mayUseTopic(bob, 'read', 'orders')).toBe(true);
    expect(acl.mayUseTopic(bob, 'read', 'orders-eu')).toBe(false);
    expect(() => acl.requireTopic(bob, 'write', 'orders')).toThrow('User:bob may not write topic orders');
    expect(() => acl.requireAdmin(bob, 'delete topic orders')).toThrow('User:bob may not delete topic orders');
    expect(() => acl.requireAdmin(alice, 'delete topic orders')).not.toThrow();
    expect(acl.mayUseTopic({ name: 'User:carol' }, 'read', 'orders')).toBe(false);
    expect(new TopicAuthorizer(gatewayConfigSchema.parse({})).mayUseTopic({ name: 'User:carol' }, 'write', 'anything')).toBe(true);
  });

  it('rejects credential settings that are not JSON or name no principal type', () => {
    expect(gatewayConfigSchema.safeParse({ apiKeys: '[{' }).success).toBe(false);
    expect(gatewayConfigSchema.safeParse({ apiKeys: [{ key: 'alice-key-123', principal: 'alice' }] }).success).toBe(false);
  });
});
