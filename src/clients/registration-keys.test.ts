// RFC 7591 §2 jwks / jwks_uri in a registration request: the precise refusals and what is kept.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { registrationToClient } from './registration-metadata.ts';

const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const refused = (description: RegExp) => (e: unknown) =>
  e instanceof OAuthError && e.code === 'invalid_client_metadata' && description.test(e.description);

const publicJwk = (type: 'ec' | 'ed25519' | 'rsa' | 'x25519' = 'ec', bits = 2048) => {
  const { publicKey, privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: bits })
        : type === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('x25519');
  return {
    pub: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
    priv: privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
  };
};

const base = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'private_key_jwt' };
const register = (extra: Record<string, unknown>, allowLoopback = false) =>
  registrationToClient({ ...base, ...extra }, SCOPES, { allowLoopback });

describe('jwks and jwks_uri in registration', () => {
  test('a private_key_jwt client with a jwks of EC, Ed25519 and RSA keys', () => {
    const keys = [publicJwk('ec').pub, publicJwk('ed25519').pub, { ...publicJwk('rsa').pub, alg: 'PS256', use: 'sig', kid: 'r1' }];
    const c = register({ jwks: { keys } });
    assert.equal(c.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.equal(c.public, false);
    assert.deepEqual(c.jwks, { keys });
    assert.equal(c.jwksUri, undefined);
  });

  test('a private_key_jwt client with an https jwks_uri', () => {
    assert.equal(register({ jwks_uri: 'https://app.example/jwks.json' }).jwksUri, 'https://app.example/jwks.json');
  });

  test('private_key_jwt without keys, keys beside another method, and both at once are refused', () => {
    assert.throws(() => register({}), refused(/private_key_jwt requires jwks or jwks_uri/));
    const jwks = { keys: [publicJwk().pub] };
    assert.throws(() => register({ token_endpoint_auth_method: 'client_secret_basic', jwks }), refused(/only with .*private_key_jwt/));
    assert.throws(() => register({ token_endpoint_auth_method: 'none', jwks }), refused(/only with .*private_key_jwt/));
    assert.throws(() => register({ jwks, jwks_uri: 'https://app.example/jwks.json' }), refused(/must not both be present/));
  });

  test('a jwks that is no JWK Set of usable public keys is refused, naming the key and the reason', () => {
    const ec = publicJwk();
    const cases: [unknown, RegExp][] = [
      [[ec.pub], /jwks: a JWK Set is a JSON object with a .keys. array/],
      [{ keys: [] }, /has no key/],
      [{ keys: Array.from({ length: 21 }, () => ec.pub) }, /more than 20 keys/],
      [{ keys: [ec.pub, ec.priv] }, /key 1 of the JWK Set holds private key material \(.d.\)/],
      [{ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, /must be an RSA, EC or OKP public key/],
      [{ keys: [{ ...ec.pub, alg: 'HS256' }] }, /.alg. that is not one of/],
      [{ keys: [{ ...ec.pub, alg: 'none' }] }, /.alg. that is not one of/],
      [{ keys: [{ ...ec.pub, use: 'enc' }] }, /.use. .sig./],
      [{ keys: [publicJwk('x25519').pub] }, /curve Ed25519/],
      [{ keys: [publicJwk('rsa', 1024).pub] }, /at least 2048 bits/],
      [{ keys: [{ ...ec.pub, x: 'AAAA' }] }, /not a valid public key/],
      ['text', /a JWK Set is a JSON object/],
    ];
    for (const [jwks, reason] of cases) assert.throws(() => register({ jwks }), refused(reason), String(reason));
  });

  test('a jwks_uri must be an https URL without fragment or credentials; loopback http only when allowed', () => {
    assert.throws(() => register({ jwks_uri: 'http://app.example/jwks.json' }), refused(/jwks_uri must be an https URL/));
    assert.throws(() => register({ jwks_uri: 'http://127.0.0.1:8080/jwks.json' }), refused(/jwks_uri must be an https URL/));
    assert.throws(() => register({ jwks_uri: 'https://app.example/jwks.json#k' }), refused(/jwks_uri must not have a fragment/));
    assert.throws(() => register({ jwks_uri: 'https://u:p@app.example/jwks.json' }), refused(/jwks_uri must not carry credentials/));
    assert.throws(() => register({ jwks_uri: 'jwks.json' }), refused(/jwks_uri is not an absolute URL/));
    assert.throws(() => register({ jwks_uri: 42 }), refused(/jwks_uri must be a URL/));
    assert.equal(register({ jwks_uri: 'http://127.0.0.1:8080/jwks.json' }, true).jwksUri, 'http://127.0.0.1:8080/jwks.json');
    assert.throws(() => register({ jwks_uri: 'http://app.example/jwks.json' }, true), refused(/jwks_uri must be an https URL/));
  });
});
