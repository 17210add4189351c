import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { type Config, resolveConfig } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/types.ts';
import { type AccessTokenInput, createIssuer, type Issuer, leftHalfHash } from './issuer.ts';
import { generateKeyRecord, type KeyRing, loadKeyRing } from './keys.ts';
import { hashToken } from './opaque.ts';
import { createSealer } from './seal.ts';

const sealer = createSealer('a test secret of at least 32 characters');

const ISSUER = 'http://127.0.0.1:1';
const NOW = 1_700_000_000;
const clock = () => NOW;

let storage: Storage;
let ring: KeyRing;
let config: Config;
let issuer: Issuer;

const accessInput: AccessTokenInput = {
  clientId: 'client-1',
  sub: 'user-1',
  scope: 'openid profile offline_access',
  audience: 'https://api.example.com',
  authTime: NOW - 30,
  grantId: 'grant-1',
};

before(async () => {
  const [opened, records] = await Promise.all([
    openStorage('sqlite::memory:'),
    Promise.all((['RS256', 'ES256', 'EdDSA'] as const).map((alg) => generateKeyRecord(alg, NOW - 10, { sealer }))),
  ]);
  storage = opened;
  for (const record of records) await storage.keys.create(record);
  ring = await loadKeyRing(storage.keys, clock, { sealer });
  config = resolveConfig({ issuer: ISSUER });
  issuer = createIssuer(config, ring, clock);
});

after(async () => {
  await storage.close();
});

async function verify(jwt: string, typ: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(ring.jwks()), { typ, currentDate: new Date(NOW * 1000) });
  return payload;
}

describe('access token (RFC 9068)', () => {
  test('is signed with the configured alg, typ at+jwt and the key id', async () => {
    const jwt = issuer.accessToken(accessInput);
    assert.deepEqual(decodeProtectedHeader(jwt), {
      alg: config.accessTokenAlg,
      typ: 'at+jwt',
      kid: ring.signing(config.accessTokenAlg).kid,
    });
    await verify(jwt, 'at+jwt');
  });

  test('carries the RFC 9068 §2.2 claims', async () => {
    const claims = await verify(issuer.accessToken(accessInput), 'at+jwt');
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, 'user-1');
    assert.equal(claims.aud, 'https://api.example.com');
    assert.equal(claims.client_id, 'client-1');
    assert.equal(claims.iat, NOW);
    assert.equal(claims.exp, NOW + config.ttl.accessToken);
    assert.equal(claims.scope, 'openid profile offline_access');
    assert.equal(claims.auth_time, NOW - 30);
    assert.equal(typeof claims.jti, 'string');
    assert.ok((claims.jti as string).length >= 16);
  });

  test('gives every token its own jti', async () => {
    const a = await verify(issuer.accessToken(accessInput), 'at+jwt');
    const b = await verify(issuer.accessToken(accessInput), 'at+jwt');
    assert.notEqual(a.jti, b.jti);
  });

  test('leaves auth_time and grant_id out when there are none', async () => {
    const claims = await verify(issuer.accessToken({ ...accessInput, authTime: null, grantId: null }), 'at+jwt');
    assert.equal('auth_time' in claims, false);
    assert.equal('grant_id' in claims, false);
  });

  test('follows a configured ttl and alg', async () => {
    const other = resolveConfig({ issuer: ISSUER, accessTokenAlg: 'EdDSA', ttl: { accessToken: 60 } });
    const jwt = createIssuer(other, ring, clock).accessToken(accessInput);
    assert.equal(decodeProtectedHeader(jwt).alg, 'EdDSA');
    const claims = await verify(jwt, 'at+jwt');
    assert.equal(claims.exp, NOW + 60);
  });
});

describe('ID token (OIDC Core §2)', () => {
  const accessToken = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';

  test('is signed with the configured ID token alg and typ JWT', async () => {
    const jwt = await issuer.idToken({ clientId: 'client-1', sub: 'user-1', authTime: NOW - 30, nonce: 'n-1', accessToken });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: config.idTokenAlg, typ: 'JWT', kid: ring.signing(config.idTokenAlg).kid });
    await verify(jwt, 'JWT');
  });

  test('carries iss, sub, aud = client id, iat, exp, auth_time and the nonce', async () => {
    const claims = await verify(
      await issuer.idToken({ clientId: 'client-1', sub: 'user-1', authTime: NOW - 30, nonce: 'n-1', accessToken }),
      'JWT',
    );
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.sub, 'user-1');
    assert.equal(claims.aud, 'client-1');
    assert.equal(claims.iat, NOW);
    assert.equal(claims.exp, NOW + config.ttl.idToken);
    assert.equal(claims.auth_time, NOW - 30);
    assert.equal(claims.nonce, 'n-1');
  });

  test('has no nonce claim when the request had none', async () => {
    const claims = await verify(
      await issuer.idToken({ clientId: 'client-1', sub: 'user-1', authTime: NOW, nonce: null, accessToken }),
      'JWT',
    );
    assert.equal('nonce' in claims, false);
  });

  test('at_hash is the left half of the SHA-256 of the access token (OIDC Core §3.1.3.6)', async () => {
    const at = issuer.accessToken(accessInput);
    const claims = await verify(
      await issuer.idToken({ clientId: 'client-1', sub: 'user-1', authTime: NOW, nonce: null, accessToken: at }),
      'JWT',
    );
    const expected = createHash('sha256').update(at, 'ascii').digest().subarray(0, 16).toString('base64url');
    assert.equal(claims.at_hash, expected);
    assert.equal(Buffer.from(claims.at_hash as string, 'base64url').length, 16);
  });

  test('at_hash for EdDSA (Ed25519) uses the left half of SHA-512', async () => {
    const ed = createIssuer(resolveConfig({ issuer: ISSUER, idTokenAlg: 'EdDSA' }), ring, clock);
    const jwt = await ed.idToken({ clientId: 'client-1', sub: 'user-1', authTime: NOW, nonce: null, accessToken });
    assert.equal(decodeProtectedHeader(jwt).alg, 'EdDSA');
    const claims = await verify(jwt, 'JWT');
    assert.equal(claims.at_hash, createHash('sha512').update(accessToken).digest().subarray(0, 32).toString('base64url'));
  });

  test('leftHalfHash uses SHA-256 for RS256 and ES256', () => {
    const left = createHash('sha256').update('token').digest().subarray(0, 16).toString('base64url');
    assert.equal(leftHalfHash('token', 'RS256'), left);
    assert.equal(leftHalfHash('token', 'ES256'), left);
  });
});

describe('refresh token', () => {
  const from = {
    grantId: 'grant-1',
    clientId: 'client-1',
    userId: 'user-1',
    scope: 'openid offline_access',
    authTime: NOW - 30,
    expiresAt: NOW + 3600,
  };

  test('is 256 random bits, base64url, different each time', () => {
    const a = issuer.refreshToken(from).token;
    const b = issuer.refreshToken(from).token;
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
  });

  test('the record holds the SHA-256 of the token and never the token itself', () => {
    const { token, record } = issuer.refreshToken(from);
    assert.equal(record.tokenHash, hashToken(token));
    assert.equal(record.tokenHash, createHash('sha256').update(token).digest('base64url'));
    assert.notEqual(record.tokenHash, token);
    assert.equal(JSON.stringify(record).includes(token), false);
    assert.deepEqual(record, {
      ...from,
      tokenHash: hashToken(token),
      createdAt: NOW,
      consumedAt: null,
      replacedBy: null,
      successor: null,
      dpopJkt: null,
    });
  });

  test('the stored row is found by the hash and contains no copy of the token', async () => {
    const { token, record } = issuer.refreshToken(from);
    await storage.refreshTokens.create(record);
    const found = await storage.refreshTokens.find(hashToken(token));
    assert.deepEqual(found, record);
    assert.equal(await storage.refreshTokens.find(token), undefined);
    assert.equal(JSON.stringify(found).includes(token), false);
  });
});
