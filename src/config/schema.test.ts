import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { defaults, oidcScopes } from './defaults.ts';
import { ConfigError, type ConfigInput, mergeConfigInputs, resolveConfig } from './schema.ts';
import { configFromEnv, configFromFile, environmentVariables, parseIntOrThrow } from './sources.ts';

/** Asserts a ConfigError whose message names `key` (as `"key"`). */
function namesKey(key: string) {
  return (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.name, 'ConfigError');
    assert.ok(e.message.includes(`"${key}"`), `the message should name "${key}": ${e.message}`);
    return true;
  };
}

describe('resolveConfig', () => {
  test('resolves the defaults', () => {
    const config = resolveConfig();
    assert.equal(config.port, 9000);
    assert.equal(config.host, 'localhost');
    assert.equal(config.issuer, 'http://localhost:9000');
    assert.equal(config.defaultAudience, 'http://localhost:9000');
    assert.equal(config.db, defaults.db);
    assert.deepEqual(config.ttl, defaults.ttl);
    assert.deepEqual(config.limits, defaults.limits);
    assert.equal(config.accessTokenAlg, 'ES256');
    assert.equal(config.idTokenAlg, 'RS256');
    assert.equal(config.refreshTokens, 'offline_access');
    assert.deepEqual([...config.supportedScopes], [...oidcScopes]);
  });

  test('derives the issuer from host and port', () => {
    assert.equal(resolveConfig({ host: '127.0.0.1', port: 8080 }).issuer, 'http://127.0.0.1:8080');
    assert.equal(resolveConfig({ port: 0 }).issuer, 'http://localhost:0');
    assert.equal(resolveConfig({ host: 'auth.internal' }).issuer, 'http://auth.internal:9000');
  });

  test('brackets an IPv6 host in the derived issuer', () => {
    assert.equal(resolveConfig({ host: '::1', port: 9001 }).issuer, 'http://[::1]:9001');
  });

  test('an explicit issuer wins over host and port, and is the default audience', () => {
    const config = resolveConfig({ host: '0.0.0.0', port: 8080, issuer: 'https://auth.example.com/tenant' });
    assert.equal(config.issuer, 'https://auth.example.com/tenant');
    assert.equal(config.defaultAudience, 'https://auth.example.com/tenant');
    assert.equal(
      resolveConfig({ issuer: 'https://a.example', defaultAudience: 'https://api.example' }).defaultAudience,
      'https://api.example',
    );
  });

  test('later layers win; nested objects merge key by key; undefined is ignored', () => {
    const config = resolveConfig({ port: 1000, ttl: { code: 30 } }, undefined, { port: 2000, ttl: { accessToken: 120 } }, {
      port: undefined,
    } as unknown as ConfigInput);
    assert.equal(config.port, 2000);
    assert.equal(config.ttl.code, 30);
    assert.equal(config.ttl.accessToken, 120);
    assert.equal(config.ttl.idToken, defaults.ttl.idToken);
  });

  test('a scope entry may carry the words of the consent page; bare names keep working beside it', () => {
    const config = resolveConfig({ scopes: [{ name: 'api:read', description: 'Read your reports' }, 'api:write'] });
    assert.deepEqual(config.scopes, ['api:read', 'api:write']);
    assert.deepEqual(config.scopeDescriptions, { 'api:read': 'Read your reports' });
    assert.ok(config.supportedScopes.includes('api:read'));
    assert.throws(() => resolveConfig({ scopes: [{ name: 'api:read' } as never] }), /config: "scopes.0/);
    assert.throws(() => resolveConfig({ scopes: [{ name: 'a b', description: 'x' }] }), /config: "scopes.0/);
  });

  test('claims.roles and claims.groups name a claim that is not registered, for a supported scope', () => {
    const config = resolveConfig({ scopes: ['roles'], claims: { roles: { claim: 'roles', scope: 'roles' } } });
    assert.deepEqual(config.claims.roles, { claim: 'roles', scope: 'roles' });
    assert.throws(
      () => resolveConfig({ claims: { roles: { claim: 'roles', scope: 'roles' } } }),
      /"claims.roles.scope" "roles" is not a supported scope/,
    );
    assert.throws(
      () => resolveConfig({ claims: { groups: { claim: 'sub', scope: 'profile' } } }),
      /"claims.groups.claim" "sub" is a registered claim/,
    );
    assert.throws(() => resolveConfig({ claims: { roles: { claim: 'a b', scope: 'profile' } } }), /config: "claims.roles.claim"/);
  });

  test('client metadata documents: hosts or https prefixes, and ordered cache bounds', () => {
    const ok = resolveConfig({
      clientIdMetadataDocuments: { enabled: true, allowedHosts: ['tools.example.com', 'https://example.com/apps/'] },
    });
    assert.deepEqual(ok.clientIdMetadataDocuments.allowedHosts, ['tools.example.com', 'https://example.com/apps/']);
    assert.throws(
      () => resolveConfig({ clientIdMetadataDocuments: { allowedHosts: ['http://example.com/'] } }),
      /config: "clientIdMetadataDocuments.allowedHosts.0"/,
    );
    assert.throws(
      () => resolveConfig({ clientIdMetadataDocuments: { minCacheSeconds: 600, maxCacheSeconds: 60 } }),
      /"clientIdMetadataDocuments.minCacheSeconds" minCacheSeconds must not be larger than maxCacheSeconds/,
    );
  });

  test('adds configured scopes to the OpenID Connect ones, once', () => {
    const config = resolveConfig({ scopes: ['api:read', 'openid', 'api:read'] });
    assert.deepEqual([...config.supportedScopes], [...oidcScopes, 'api:read']);
  });

  test('does not change the defaults it starts from', () => {
    resolveConfig({ ttl: { code: 10 }, scopes: ['x'] });
    assert.equal(resolveConfig().ttl.code, defaults.ttl.code);
    assert.deepEqual(resolveConfig().scopes, []);
    assert.equal(defaults.ttl.code, 60);
  });

  test('the result is deeply frozen', () => {
    const config = resolveConfig({ scopes: ['api'] });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.ttl));
    assert.ok(Object.isFrozen(config.limits));
    assert.ok(Object.isFrozen(config.scopes));
    assert.ok(Object.isFrozen(config.supportedScopes));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.ttl as { code: number }).code = 1;
    }, TypeError);
    assert.throws(() => {
      (config.scopes as string[]).push('more');
    }, TypeError);
    assert.equal(config.port, 9000);
  });
});

describe('resolveConfig refuses bad values, naming the key', () => {
  const cases: [string, ConfigInput][] = [
    ['port', { port: 70000 }],
    ['port', { port: -1 }],
    ['port', { port: 80.5 }],
    ['port', { port: '9000' as unknown as number }],
    ['host', { host: '' }],
    ['db', { db: 'mysql://localhost/x' }],
    ['ttl.code', { ttl: { code: 601 } }],
    ['ttl.accessToken', { ttl: { accessToken: 0 } }],
    ['refreshTokens', { refreshTokens: 'never' as 'always' }],
    ['accessTokenAlg', { accessTokenAlg: 'HS256' as 'RS256' }],
    ['idTokenAlg', { idTokenAlg: 'none' as 'RS256' }],
    ['scopes.0', { scopes: ['has space'] }],
    ['scopes.1', { scopes: ['ok', 'quo"te'] }],
    ['limits.bodyBytes', { limits: { bodyBytes: 10 } }],
    ['logLevel', { logLevel: 'verbose' as 'info' }],
    ['defaultAudience', { defaultAudience: '' }],
    ['backchannelLogout.maxAttempts', { backchannelLogout: { maxAttempts: 0 } }],
    ['backchannelLogout.timeoutMs', { backchannelLogout: { timeoutMs: 60_001 } }],
    ['backchannelLogout.retryBaseMs', { backchannelLogout: { retryBaseMs: 1.5 } }],
    ['backchannelLogout.pollIntervalMs', { backchannelLogout: { pollIntervalMs: 0 } }],
  ];
  for (const [key, input] of cases) {
    test(`${key}: ${JSON.stringify(input)}`, () => {
      assert.throws(() => resolveConfig(input), namesKey(key));
    });
  }

  test('an issuer with a query, a fragment or a trailing slash (RFC 8414 §2)', () => {
    for (const issuer of [
      'https://auth.example.com/?x=1',
      'https://auth.example.com?x=1',
      'https://auth.example.com#f',
      'https://auth.example.com/',
      'https://auth.example.com/tenant/',
    ]) {
      assert.throws(() => resolveConfig({ issuer }), namesKey('issuer'), issuer);
    }
  });

  test('an issuer with an empty query or fragment component (RFC 8414 §2)', () => {
    // "?" and "#" alone still start a query and a fragment component.
    for (const issuer of ['https://auth.example.com?', 'https://auth.example.com#', 'https://auth.example.com/tenant?']) {
      assert.throws(() => resolveConfig({ issuer }), namesKey('issuer'), issuer);
    }
  });

  test('an issuer that is not an absolute http(s) URL', () => {
    for (const issuer of ['auth.example.com', '/issuer', 'ftp://auth.example.com', 'javascript:alert(1)', '']) {
      assert.throws(() => resolveConfig({ issuer }), namesKey('issuer'), issuer);
    }
  });

  test('an unknown key, at the top level or nested', () => {
    assert.throws(
      () => resolveConfig({ prot: 9000 } as ConfigInput),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /prot/);
        return true;
      },
    );
    assert.throws(
      () => resolveConfig({ ttl: { code: 60, acessToken: 10 } } as ConfigInput),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /acessToken/);
        assert.match(e.message, /ttl/);
        return true;
      },
    );
  });
});

describe('configFromEnv', () => {
  test('maps LATCHKEY_PORT, LATCHKEY_ISSUER, LATCHKEY_DB, LATCHKEY_HOST and LATCHKEY_LOG_LEVEL', () => {
    assert.deepEqual(
      configFromEnv({
        LATCHKEY_PORT: '8443',
        LATCHKEY_ISSUER: 'https://auth.example.com',
        LATCHKEY_DB: 'sqlite:/var/lib/latchkey.db',
        LATCHKEY_HOST: '0.0.0.0',
        LATCHKEY_LOG_LEVEL: 'debug',
      }),
      { port: 8443, issuer: 'https://auth.example.com', db: 'sqlite:/var/lib/latchkey.db', host: '0.0.0.0', logLevel: 'debug' },
    );
  });

  test('uses PORT when LATCHKEY_PORT is not set, and prefers LATCHKEY_PORT', () => {
    assert.deepEqual(configFromEnv({ PORT: '3000' }), { port: 3000 });
    assert.deepEqual(configFromEnv({ PORT: '3000', LATCHKEY_PORT: '4000' }), { port: 4000 });
  });

  test('maps nothing from an environment without its variables', () => {
    assert.deepEqual(configFromEnv({ HOME: '/root', DATABASE_URL: 'postgres://x' }), {});
  });

  test('refuses a non-numeric port, naming the variable', () => {
    for (const value of ['abc', '80a', '-1', '8.5', ' 80', '0x50']) {
      assert.throws(
        () => configFromEnv({ LATCHKEY_PORT: value }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, /LATCHKEY_PORT/);
          return true;
        },
        value,
      );
    }
    assert.throws(
      () => configFromEnv({ PORT: 'http' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /\bPORT\b/);
        assert.doesNotMatch(e.message, /LATCHKEY_PORT/);
        return true;
      },
    );
  });

  test('feeds resolveConfig, which still validates the values', () => {
    const config = resolveConfig(configFromEnv({ LATCHKEY_PORT: '9100', LATCHKEY_DB: 'sqlite::memory:' }));
    assert.equal(config.issuer, 'http://localhost:9100');
    assert.equal(config.db, 'sqlite::memory:');
    assert.throws(() => resolveConfig(configFromEnv({ LATCHKEY_PORT: '99999' })), namesKey('port'));
    assert.throws(() => resolveConfig(configFromEnv({ LATCHKEY_ISSUER: 'https://a.example/' })), namesKey('issuer'));
  });
});

describe('every setting from the environment', () => {
  test('each key has LATCHKEY_ and its path in upper snake case; numbers, booleans and JSON lists are read as such', () => {
    const names = environmentVariables.map((v) => `${v.name}=${v.key}`);
    for (const pair of [
      'LATCHKEY_TTL_ACCESS_TOKEN=ttl.accessToken',
      'LATCHKEY_BRUTE_FORCE_ACCOUNT_LOCK_AFTER=bruteForce.account.lockAfter',
      'LATCHKEY_LIMITS_KEEP_ALIVE_TIMEOUT_MS=limits.keepAliveTimeoutMs',
      'LATCHKEY_SECRET_FILE=secretFile',
      'LATCHKEY_THEME_CSS=theme.css',
    ])
      assert.ok(names.includes(pair), pair);
    const config = resolveConfig(
      configFromEnv({
        LATCHKEY_TTL_ACCESS_TOKEN: '60',
        LATCHKEY_SCOPES: '["api:read","api:write"]',
        LATCHKEY_TRUST_PROXY: 'true',
        LATCHKEY_REFRESH_ID_TOKEN: 'true',
        LATCHKEY_BRUTE_FORCE_ACCOUNT_FREE: '3',
        LATCHKEY_ID_TOKEN_ALG: 'ES256',
        LATCHKEY_KEYS_PRE_PUBLISH: '',
      }),
    );
    assert.equal(config.ttl.accessToken, 60);
    assert.equal(config.ttl.idToken, 3600, 'the other keys of the object keep their values');
    assert.deepEqual(config.scopes, ['api:read', 'api:write']);
    assert.equal(config.trustProxy, true);
    assert.equal(config.refreshIdToken, true);
    assert.deepEqual(config.bruteForce.account, { ...defaults.bruteForce.account, free: 3 });
    assert.equal(config.idTokenAlg, 'ES256');
    assert.equal(config.keys.prePublish, 3600, 'empty is unset');
    assert.equal(resolveConfig(configFromEnv({ LATCHKEY_TRUST_PROXY: '2' })).trustProxy, 2);
  });

  test('the environment overrides the file one key at a time', () => {
    const config = resolveConfig({ ttl: { accessToken: 100, idToken: 200 } }, configFromEnv({ LATCHKEY_TTL_ID_TOKEN: '300' }));
    assert.deepEqual([config.ttl.accessToken, config.ttl.idToken], [100, 300]);
  });

  test('a bad value is a ConfigError naming the variable and the key', () => {
    for (const [name, value, message] of [
      ['LATCHKEY_TTL_ACCESS_TOKEN', 'abc', /whole number, got "abc"/],
      ['LATCHKEY_TTL_CODE', '6000', /600/],
      ['LATCHKEY_SCOPES', 'a b', /must be JSON/],
      ['LATCHKEY_SCOPES', '["a b"]', /scope/],
      ['LATCHKEY_REFRESH_ID_TOKEN', 'yes', /true or false/],
      ['LATCHKEY_ACCESS_TOKEN_ALG', 'HS256', /RS256/],
      ['LATCHKEY_TRUST_PROXY', 'maybe', /whole number, true or false/],
    ] as const) {
      assert.throws(
        () => configFromEnv({ [name]: value }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.ok(e.message.includes(name), e.message);
          assert.match(e.message, message);
          return true;
        },
        name,
      );
    }
  });

  test('the README lists every variable', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.deepEqual(
      environmentVariables.filter((v) => !readme.includes(`| \`${v.name}\``)).map((v) => v.name),
      [],
    );
  });
});

describe('parseIntOrThrow', () => {
  test('parses whole numbers and refuses anything else, naming the variable', () => {
    assert.equal(parseIntOrThrow('0', 'X'), 0);
    assert.equal(parseIntOrThrow('65535', 'X'), 65535);
    assert.throws(() => parseIntOrThrow('', 'MY_VAR'), /MY_VAR/);
    assert.throws(() => parseIntOrThrow('1e3', 'MY_VAR'), ConfigError);
  });
});

describe('configFromFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('reads a JSON object', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ port: 9200, ttl: { code: 30 } }));
    assert.deepEqual(configFromFile(path), { port: 9200, ttl: { code: 30 } });
  });

  test('refuses a missing file, bad JSON and a non-object, naming the path', () => {
    const missing = join(dir, 'missing.json');
    assert.throws(
      () => configFromFile(missing),
      (e: unknown) => e instanceof ConfigError && e.message.includes(missing),
    );
    for (const [name, text] of [
      ['bad.json', '{ port: 1 }'],
      ['array.json', '[1]'],
      ['null.json', 'null'],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      assert.throws(
        () => configFromFile(path),
        (e: unknown) => e instanceof ConfigError && e.message.includes(path),
        name,
      );
    }
  });
});

describe('mergeConfigInputs', () => {
  test('a layer sets one nested key and keeps its siblings from the layers below', () => {
    const file = { ttl: { accessToken: 600 }, bruteForce: { account: { free: 5, lockAfter: 10, lockSeconds: 600 } } };
    const env = configFromEnv({ LATCHKEY_TTL_CODE: '30', LATCHKEY_BRUTE_FORCE_ACCOUNT_FREE: '3' });
    const config = resolveConfig(mergeConfigInputs(file, env));
    assert.equal(config.ttl.accessToken, 600);
    assert.equal(config.ttl.code, 30);
    assert.deepEqual(config.bruteForce.account, { free: 3, lockAfter: 10, lockSeconds: 600 });
  });
});
