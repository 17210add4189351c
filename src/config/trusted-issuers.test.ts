// tokenExchange.trustedIssuers: a bad entry stops start-up with a message naming the key.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError, resolveConfig } from './schema.ts';
import { externalSubject } from './trusted-issuers.ts';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
const base = { issuer: 'https://as.example', scopes: ['api:read'] };
const withIssuers = (trustedIssuers: unknown[]) => resolveConfig({ ...base, tokenExchange: { trustedIssuers } as never });
const refused = (part: RegExp) => (e: unknown) => e instanceof ConfigError && part.test(e.message);

describe('tokenExchange.trustedIssuers', () => {
  test('none by default; an issuer with jwks or an https jwksUri is accepted', () => {
    assert.deepEqual(resolveConfig(base).tokenExchange.trustedIssuers, []);
    const c = withIssuers([
      { issuer: 'https://idp.example', jwksUri: 'https://idp.example/jwks', scopes: ['api:read'] },
      { issuer: 'https://other.example', jwks: { keys: [jwk] }, algorithms: ['ES256'], subjectPrefix: 'other|' },
    ]);
    assert.equal(c.tokenExchange.trustedIssuers.length, 2);
  });

  test('each mistake names its key', () => {
    const cases: [unknown[], RegExp][] = [
      [[{ issuer: 'https://idp.example' }], /trustedIssuers\.0.* needs jwks or jwksUri/],
      [[{ issuer: 'https://idp.example', jwks: { keys: [jwk] }, jwksUri: 'https://idp.example/jwks' }], /needs jwks or jwksUri, not both/],
      [[{ issuer: 'idp', jwks: { keys: [jwk] } }], /trustedIssuers\.0\.issuer/],
      [[{ issuer: 'https://idp.example', jwksUri: 'http://idp.example/jwks' }], /trustedIssuers\.0\.jwksUri.*https/],
      [[{ issuer: 'https://idp.example', jwks: { keys: [{ ...jwk, d: 'x' }] } }], /private key material/],
      [[{ issuer: 'https://idp.example', jwks: { keys: [jwk] }, algorithms: ['HS256'] }], /algorithms\.0/],
      [[{ issuer: 'https://idp.example', jwks: { keys: [jwk] }, scopes: ['nope'] }], /scopes. names .nope./],
      [[{ issuer: 'https://as.example', jwks: { keys: [jwk] } }], /is this server/],
      [[{ issuer: 'https://idp.example', jwks: { keys: [jwk] }, subjectPrefix: '' }], /subjectPrefix/],
      [
        [
          { issuer: 'https://idp.example', jwks: { keys: [jwk] } },
          { issuer: 'https://idp.example', jwks: { keys: [jwk] } },
        ],
        /lists an issuer twice/,
      ],
    ];
    for (const [list, reason] of cases) assert.throws(() => withIssuers(list), refused(reason), String(reason));
  });

  test('an external subject is named with the prefix, by default the issuer and #', () => {
    assert.equal(externalSubject({ issuer: 'https://idp.example' }, 'alice'), 'https://idp.example#alice');
    assert.equal(externalSubject({ issuer: 'https://idp.example', subjectPrefix: 'idp|' }, 'alice'), 'idp|alice');
  });
});
