// RFC 8707 resources: the server-wide registry, matching as clients send resources, and scope defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildClient } from '../clients/register.ts';
import { resolveConfig } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import { checkResources, narrowResources, sameResource, scopePolicy } from './resource.ts';

const config = resolveConfig({
  issuer: 'https://as.example',
  resources: [
    { uri: 'https://MCP.example.com', scopes: ['mcp:tools', 'mcp:write'], defaultScopes: ['mcp:tools'] },
    { uri: 'https://files.example/mcp', scopes: ['files:read'] },
    { uri: 'https://private.example/mcp', scopes: ['private:x'], clients: ['trusted'] },
  ],
});
const client = (clientId: string, extra: { resources?: string[]; scope?: string } = {}) =>
  buildClient({ name: clientId, clientId, public: true, redirectUris: ['http://127.0.0.1/cb'], ...extra }, config.supportedScopes, 0)
    .record;

const refused = (code: string) => (e: unknown) => e instanceof OAuthError && e.code === code;

describe('sameResource', () => {
  test('an origin with or without its slash, and scheme and host in any case, are one resource', () => {
    assert.ok(sameResource('https://mcp.example.com', 'https://mcp.example.com/'));
    assert.ok(sameResource('HTTPS://MCP.Example.com/', 'https://mcp.example.com'));
    assert.ok(sameResource('https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'));
  });
  test('a different path, trailing slash after a path, query or port is another resource', () => {
    assert.ok(!sameResource('https://mcp.example.com/mcp', 'https://mcp.example.com/mcp/'));
    assert.ok(!sameResource('https://mcp.example.com/mcp', 'https://mcp.example.com/MCP'));
    assert.ok(!sameResource('https://mcp.example.com/', 'https://mcp.example.com/?a'));
    assert.ok(!sameResource('https://mcp.example.com/', 'https://mcp.example.com:8443/'));
    assert.ok(!sameResource('not a url', 'https://mcp.example.com/'));
  });
});

describe('the resource registry', () => {
  test('any client may ask for a registry resource, answered in its registered form', () => {
    const c = client('anyone');
    assert.deepEqual(checkResources(['https://mcp.example.com/'], c, config), ['https://MCP.example.com']);
    assert.deepEqual(checkResources(['HTTPS://mcp.EXAMPLE.com', 'https://mcp.example.com/'], c, config), ['https://MCP.example.com']);
    assert.deepEqual(checkResources(['https://files.example/mcp'], c, config), ['https://files.example/mcp']);
  });
  test('another path of a registry resource is refused', () => {
    assert.throws(() => checkResources(['https://files.example/mcp/'], client('a'), config), refused('invalid_target'));
    assert.throws(() => checkResources(['https://files.example/other'], client('a'), config), refused('invalid_target'));
  });
  test('a resource with a clients policy is refused to other clients', () => {
    assert.throws(() => checkResources(['https://private.example/mcp'], client('other'), config), refused('invalid_target'));
    assert.deepEqual(checkResources(['https://private.example/mcp'], client('trusted'), config), ['https://private.example/mcp']);
  });
  test('a resource listed on the client keeps its own form', () => {
    const c = client('listed', { resources: ['https://api.example/'] });
    assert.deepEqual(checkResources(['https://api.example'], c, config), ['https://api.example/']);
  });
  test('registry scopes are supported scopes', () => {
    for (const s of ['mcp:tools', 'mcp:write', 'files:read', 'private:x']) assert.ok(config.supportedScopes.includes(s), s);
  });
});

describe('scopePolicy', () => {
  test('a registry resource adds its scopes and gives its default scopes', () => {
    const policy = scopePolicy(['https://MCP.example.com'], client('a', { scope: 'openid offline_access' }), config);
    assert.deepEqual(policy.allowed, ['openid', 'offline_access', 'mcp:tools', 'mcp:write']);
    assert.deepEqual(policy.defaults, ['mcp:tools']);
  });
  test('without defaultScopes the default is every scope of the resource', () => {
    assert.deepEqual(scopePolicy(['https://files.example/mcp'], client('a'), config).defaults, ['files:read']);
  });
  test("without a registry resource the default is the client's registered scope", () => {
    const policy = scopePolicy([], client('a', { scope: 'openid email' }), config);
    assert.deepEqual(policy, { allowed: ['openid', 'email'], defaults: ['openid', 'email'] });
  });
  test('a resource the client may not use adds nothing', () => {
    const policy = scopePolicy(['https://private.example/mcp'], client('other', { scope: 'openid' }), config);
    assert.deepEqual(policy.allowed, ['openid']);
  });
});

describe('narrowResources', () => {
  test('a resource sent as the SDK serializes it matches the granted form', () => {
    assert.deepEqual(narrowResources(['https://mcp.example.com/'], ['https://MCP.example.com'], config), ['https://MCP.example.com']);
  });
  test('a resource outside the grant is refused', () => {
    assert.throws(() => narrowResources(['https://files.example/mcp'], ['https://MCP.example.com'], config), refused('invalid_target'));
  });
});

describe('the resources configuration', () => {
  test('defaultScopes outside scopes, a bad URI and a duplicate are refused with the key', () => {
    assert.throws(() => resolveConfig({ resources: [{ uri: 'https://a.example', scopes: ['x'], defaultScopes: ['y'] }] }), /"resources.0"/);
    assert.throws(() => resolveConfig({ resources: [{ uri: 'https://a.example/#f', scopes: [] }] }), /"resources.0.uri"/);
    assert.throws(
      () =>
        resolveConfig({
          resources: [
            { uri: 'https://a.example', scopes: [] },
            { uri: 'HTTPS://A.example/', scopes: [] },
          ],
        }),
      /"resources" names one resource twice/,
    );
  });
});
