// E2E: DPoP (RFC 9449) at the token endpoint and UserInfo with openid-client, and each refusal:
// wrong htu or htm, stale iat, a replayed jti, a bearer presentation of a bound token, a refresh
// token of a public client used without its key, server nonces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as client from 'openid-client';
import { type ClientKey, clientKey, dpopProof } from '../helpers/assertions.ts';
import { basic } from '../helpers/flow.ts';
import { authorizeWithOpenidClient } from '../helpers/openid-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer({ scopes: ['reports:read'] });
  user = await t.addUser();
});
after(() => t?.close());

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const options = { execute: [client.allowInsecureRequests] };

/** A code flow of a public client, the token request made with a DPoP handle. */
async function publicCodeFlow(dpop: client.DPoPHandle) {
  const { client: c } = await t.addClient({ public: true });
  const config = await client.discovery(new URL(t.url), c.clientId, undefined, client.None(), options);
  const { callback, verifier } = await authorizeWithOpenidClient(config, user, { scope: 'openid offline_access' });
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, idTokenExpected: true }, undefined, {
    DPoP: dpop,
  });
  return { config, tokens, clientId: c.clientId };
}

describe('DPoP with openid-client', () => {
  test('a public client gets DPoP-bound tokens, reads UserInfo with proofs, and refreshes with the same key only', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const dpop = client.getDPoPHandle(await client.discovery(new URL(t.url), 'x', undefined, client.None(), options), keyPair);
    const { config, tokens } = await publicCodeFlow(dpop);
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });

    const sub = String(decodeJwt(tokens.access_token).sub);
    const info = await client.fetchUserInfo(config, tokens.access_token, sub, { DPoP: dpop });
    assert.equal(info.sub, sub);

    // The refresh token is bound to the key (§5): without a proof, or with another key, it is refused.
    const refreshToken = tokens.refresh_token ?? '';
    const bare = await post('/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: config.clientMetadata().client_id,
    });
    assert.equal(bare.status, 400);
    assert.equal(bare.body.error, 'invalid_dpop_proof');
    const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    await assert.rejects(
      client.refreshTokenGrant(config, refreshToken, undefined, { DPoP: other }),
      (e: { error?: string }) => e.error === 'invalid_dpop_proof',
    );
    const refreshed = await client.refreshTokenGrant(config, refreshToken, undefined, { DPoP: dpop });
    assert.equal(refreshed.token_type.toLowerCase(), 'dpop');
    assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt });
  });

  test('a bound token presented as a bearer token at UserInfo is refused with a DPoP challenge', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const dpop = client.getDPoPHandle(await client.discovery(new URL(t.url), 'x', undefined, client.None(), options), keyPair);
    const { tokens } = await publicCodeFlow(dpop);
    const res = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_token".*algs="[^"]*ES256/);
    // The DPoP scheme without a proof is refused too.
    const noProof = await fetch(`${t.url}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    assert.equal(noProof.status, 401);
  });

  test('discovery advertises the DPoP algorithms', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.ok(meta.dpop_signing_alg_values_supported?.includes('ES256'));
    assert.ok(!meta.dpop_signing_alg_values_supported?.some((a) => a === 'none' || a.startsWith('HS')));
  });
});

describe('DPoP proofs refused at the token endpoint', () => {
  let key: ClientKey;
  let auth: string;
  let clientId: string;

  before(async () => {
    key = await clientKey('ES256');
    const { client: c, secret } = await t.addClient({ grantTypes: ['client_credentials'], scope: 'reports:read' });
    clientId = c.clientId;
    auth = basic(c.clientId, secret ?? '');
  });

  const tokenWith = async (proof: string) => post('/token', { grant_type: 'client_credentials' }, { authorization: auth, dpop: proof });
  const good = () => ({ htm: 'POST', htu: `${t.url}/token` });

  test('a valid proof binds the client credentials token; introspection shows the binding', async () => {
    const r = await tokenWith(await dpopProof(key, good()));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.token_type, 'DPoP');
    const jkt = await calculateJwkThumbprint(key.publicJwk);
    assert.deepEqual(decodeJwt(String(r.body.access_token)).cnf, { jkt });
    const intro = await post('/introspect', { token: String(r.body.access_token) }, { authorization: auth });
    assert.equal(intro.body.token_type, 'DPoP');
    assert.deepEqual(intro.body.cnf, { jkt });
  });

  test('the query of htu is ignored', async () => {
    assert.equal((await tokenWith(await dpopProof(key, { ...good(), htu: `${t.url}/token?x=1` }))).status, 200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refusals: [string, () => Promise<string>][] = [
    ['a wrong htu', () => dpopProof(key, { ...good(), htu: `${t.url}/userinfo` })],
    ['a wrong htm', () => dpopProof(key, { ...good(), htm: 'GET' })],
    ['a stale iat', () => dpopProof(key, { ...good(), iat: now() - 600 })],
    ['an iat in the future', () => dpopProof(key, { ...good(), iat: now() + 600 })],
    ['a wrong typ', () => dpopProof(key, good(), { typ: 'JWT' })],
    ['no jwk header', () => dpopProof(key, good(), { jwk: undefined })],
    [
      'a private key in the jwk header',
      async () => {
        const pair = await clientKey('ES256');
        return dpopProof(pair, good(), { jwk: await exportJWK(pair.privateKey) });
      },
    ],
    [
      'alg none',
      async () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${part({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${part({ jti: 'n', iat: now(), ...good() })}.`;
      },
    ],
    ['a signature by another key', async () => dpopProof(await clientKey('ES256'), good(), { jwk: key.publicJwk })],
  ];
  for (const [name, make] of refusals) {
    test(`refused: ${name}`, async () => {
      const r = await tokenWith(await make());
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_dpop_proof');
    });
  }

  test('a replayed proof (same jti) is refused', async () => {
    const proof = await dpopProof(key, good());
    assert.equal((await tokenWith(proof)).status, 200);
    const again = await tokenWith(proof);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_dpop_proof');
  });

  test('two DPoP headers are refused', async () => {
    const r = await post(
      '/token',
      { grant_type: 'client_credentials' },
      { authorization: auth, dpop: `${await dpopProof(key, good())}, ${await dpopProof(key, good())}` },
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_dpop_proof');
  });

  test('a client registered with dpop_bound_access_tokens is refused a bearer token', async () => {
    const { client: c, secret } = await t.addClient({ grantTypes: ['client_credentials'], scope: '', dpopBoundAccessTokens: true });
    const bearer = await post('/token', { grant_type: 'client_credentials' }, { authorization: basic(c.clientId, secret ?? '') });
    assert.equal(bearer.status, 400);
    assert.equal(bearer.body.error, 'invalid_dpop_proof');
    const bound = await post(
      '/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(c.clientId, secret ?? ''), dpop: await dpopProof(key, good()) },
    );
    assert.equal(bound.body.token_type, 'DPoP');
    assert.ok(clientId);
  });
});

describe('DPoP server nonces', () => {
  test('a proof without the nonce gets use_dpop_nonce and a nonce; openid-client retries with it', async () => {
    const s = await startTestServer({ dpop: { nonce: true } });
    try {
      const { client: c, secret } = await s.addClient({ grantTypes: ['client_credentials'], scope: '' });
      const key = await clientKey('ES256');
      const res = await fetch(`${s.url}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(c.clientId, secret ?? ''),
          dpop: await dpopProof(key, { htm: 'POST', htu: `${s.url}/token` }),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as Record<string, unknown>).error, 'use_dpop_nonce');
      const nonce = res.headers.get('dpop-nonce') ?? '';
      assert.match(nonce, /^[\w-]{43}$/);
      const withNonce = await fetch(`${s.url}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(c.clientId, secret ?? ''),
          dpop: await dpopProof(key, { htm: 'POST', htu: `${s.url}/token`, nonce }),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      assert.equal(withNonce.status, 200);
      assert.equal(withNonce.headers.get('dpop-nonce'), nonce);

      const config = await client.discovery(new URL(s.url), c.clientId, undefined, client.ClientSecretBasic(secret ?? ''), options);
      const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
      // openid-client answers use_dpop_nonce by retrying once with the nonce it was given.
      const tokens = await client.clientCredentialsGrant(config, undefined, { DPoP: dpop });
      assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    } finally {
      await s.close();
    }
  });
});
