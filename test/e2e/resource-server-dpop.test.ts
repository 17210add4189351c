// E2E: DPoP-bound access tokens at `latchkey/resource-server` (RFC 9449 §7): verified with the
// proof (ath, htm, htu, cnf.jkt), a bearer presentation refused, `WWW-Authenticate: DPoP` challenges
// with algs; openid-client as the client.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import {
  type AccessTokenRequest,
  extractDpopToken,
  ResourceServerError,
  requireAccessToken,
  verifyAccessToken,
  verifyDpopAccessToken,
} from '../../src/resource-server/index.ts';
import { accessTokenHash } from '../../src/tokens/dpop-proof.ts';
import { type ClientKey, clientKey, dpopProof } from '../helpers/assertions.ts';
import { basic } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let api: Server;
let apiUrl: string;
let key: ClientKey;
let boundToken: string;
let bearerToken: string;
let clientId: string;
let secret: string;

async function token(dpop?: string): Promise<string> {
  const res = await fetch(`${t.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(clientId, secret),
      ...(dpop ? { dpop } : {}),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  return String(((await res.json()) as Record<string, unknown>).access_token);
}

before(async () => {
  t = await startTestServer({ scopes: ['reports:read'] });
  const c = await t.addClient({ grantTypes: ['client_credentials'], scope: 'reports:read' });
  clientId = c.client.clientId;
  secret = c.secret ?? '';
  key = await clientKey('ES256');
  boundToken = await token(await dpopProof(key, { htm: 'POST', htu: `${t.url}/token` }));
  bearerToken = await token();
  const guard = requireAccessToken({ issuer: t.url, audience: t.url, realm: 'api', dpop: {} });
  api = createServer((req: IncomingMessage & AccessTokenRequest, res) => {
    void guard(req, res, () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sub: req.auth?.sub, cnf: req.auth?.cnf }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await t?.close();
});

const call = (path: string, headers: Record<string, string>, method = 'GET') => fetch(`${apiUrl}${path}`, { method, headers });
const proofFor = (path: string, extra: Record<string, unknown> = {}, k = key, tokenValue = boundToken) =>
  dpopProof(k, { htm: 'GET', htu: `${apiUrl}${path}`, ath: accessTokenHash(tokenValue), ...extra });

describe('requireAccessToken with DPoP', () => {
  test('openid-client calls the API with a DPoP-bound token and a proof', async () => {
    const config = await client.discovery(new URL(t.url), clientId, undefined, client.ClientSecretBasic(secret), {
      execute: [client.allowInsecureRequests],
    });
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(config, undefined, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const res = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${apiUrl}/items?page=2`),
      'GET',
      undefined,
      undefined,
      {
        DPoP: dpop,
      },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sub: string; cnf: { jkt: string } };
    assert.equal(body.sub, clientId);
    assert.match(body.cnf.jkt, /^[\w-]{43}$/);
  });

  test('a bound token presented as a Bearer token is refused with a DPoP challenge', async () => {
    const res = await call('/items', { authorization: `Bearer ${boundToken}` });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^DPoP realm="api", error="invalid_token", .*algs="ES256 /);
    await res.arrayBuffer();
  });

  test('no credentials: Bearer and DPoP challenges', async () => {
    const res = await call('/items', {});
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="api", DPoP realm="api", algs="ES256 [^"]*"$/);
    await res.arrayBuffer();
  });

  const refusals: [string, () => Promise<Record<string, string>>][] = [
    ['no proof', async () => ({ authorization: `DPoP ${boundToken}` })],
    ['a wrong htu', async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/other') })],
    ['a wrong htm', async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/items', { htm: 'POST' }) })],
    ['no ath', async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/items', { ath: undefined }) })],
    [
      'the ath of another token',
      async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/items', { ath: accessTokenHash(bearerToken) }) }),
    ],
    [
      'a stale iat',
      async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/items', { iat: Math.floor(Date.now() / 1000) - 300 }) }),
    ],
    [
      'a proof of another key',
      async () => ({ authorization: `DPoP ${boundToken}`, dpop: await proofFor('/items', {}, await clientKey('ES256')) }),
    ],
  ];
  for (const [name, headers] of refusals) {
    test(`refused: ${name}`, async () => {
      const res = await call('/items', await headers());
      assert.equal(res.status, 401);
      const body = (await res.json()) as Record<string, string>;
      assert.equal(body.error, 'invalid_dpop_proof');
      assert.match(res.headers.get('www-authenticate') ?? '', /^DPoP realm="api", error="invalid_dpop_proof", .*algs="/);
    });
  }

  test('a proof is accepted once', async () => {
    const proof = await proofFor('/items');
    const first = await call('/items', { authorization: `DPoP ${boundToken}`, dpop: proof });
    assert.equal(first.status, 200);
    await first.arrayBuffer();
    const again = await call('/items', { authorization: `DPoP ${boundToken}`, dpop: proof });
    assert.equal(again.status, 401);
    await again.arrayBuffer();
  });

  test('an unbound token with the DPoP scheme is refused', async () => {
    const res = await call('/items', { authorization: `DPoP ${bearerToken}`, dpop: await proofFor('/items', {}, key, bearerToken) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as Record<string, string>).error, 'invalid_token');
  });

  test('a bearer token still works as before', async () => {
    const res = await call('/items', { authorization: `Bearer ${bearerToken}` });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });
});

describe('framework-free DPoP verification', () => {
  test('verifyDpopAccessToken accepts the bound token with its proof; verifyAccessToken refuses it as a bearer token', async () => {
    const options = { issuer: t.url, audience: t.url };
    const url = 'https://api.example/reports';
    const proof = await dpopProof(key, { htm: 'GET', htu: url, ath: accessTokenHash(boundToken) });
    const claims = await verifyDpopAccessToken(extractDpopToken(`DPoP ${boundToken}`) ?? '', { method: 'GET', url, proof }, options);
    assert.equal(claims.sub, clientId);
    await assert.rejects(verifyAccessToken(boundToken, options), (e: unknown) => {
      assert.ok(e instanceof ResourceServerError);
      assert.equal(e.code, 'invalid_token');
      assert.match(e.wwwAuthenticate(), /^DPoP error="invalid_token"/);
      return true;
    });
  });

  test('in introspection mode too (token_type DPoP, cnf from the introspection response)', async () => {
    const rs = await t.addClient({ grantTypes: ['client_credentials'], scope: '' });
    const options = { issuer: t.url, audience: t.url, introspection: { clientId: rs.client.clientId, clientSecret: rs.secret ?? '' } };
    const fresh = await token(await dpopProof(key, { htm: 'POST', htu: `${t.url}/token` }));
    // The token is another client's: introspection shows it only to a client registered for its audience.
    const url = 'https://api.example/r';
    const proof = await dpopProof(key, { htm: 'GET', htu: url, ath: accessTokenHash(fresh) });
    await assert.rejects(verifyDpopAccessToken(fresh, { method: 'GET', url, proof }, options), ResourceServerError);
    const own = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(rs.client.clientId, rs.secret ?? ''),
        dpop: await dpopProof(key, { htm: 'POST', htu: `${t.url}/token` }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const ownToken = String(((await own.json()) as Record<string, unknown>).access_token);
    const ownProof = await dpopProof(key, { htm: 'GET', htu: url, ath: accessTokenHash(ownToken) });
    const claims = await verifyDpopAccessToken(ownToken, { method: 'GET', url, proof: ownProof }, options);
    assert.equal(claims.client_id, rs.client.clientId);
  });
});
