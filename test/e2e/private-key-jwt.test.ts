// E2E: private_key_jwt (RFC 7523 §2.2 and §3, OIDC Core §9) at the token, introspection and
// revocation endpoints, with openid-client as the client, and each refusal the issue names.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { assertion, type ClientKey, clientKey, JWT_BEARER, type JwksServer, jwksServer, unsignedAssertion } from '../helpers/assertions.ts';
import { basic } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let key: ClientKey;
let clientId: string;

async function post(path: string, form: Record<string, string>, auth?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const withAssertion = (jwt: string, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_assertion_type: JWT_BEARER,
  client_assertion: jwt,
  ...extra,
});

async function configFor(id: string, privateKey: ClientKey['privateKey']): Promise<client.Configuration> {
  return client.discovery(new URL(t.url), id, undefined, client.PrivateKeyJwt(privateKey), { execute: [client.allowInsecureRequests] });
}

before(async () => {
  t = await startTestServer({ scopes: ['reports:read'], outboundFetch: { allowLoopback: true } });
  key = await clientKey('ES256');
  const { client: c, secret } = await t.addClient({
    name: 'Signed job',
    grantTypes: ['client_credentials'],
    scope: 'reports:read',
    jwks: { keys: [key.publicJwk as Record<string, unknown>] },
  });
  assert.equal(secret, null, 'a private_key_jwt client has no secret');
  assert.equal(c.tokenEndpointAuthMethod, 'private_key_jwt');
  clientId = c.clientId;
});
after(() => t?.close());

describe('private_key_jwt with a registered jwks', () => {
  test('openid-client gets a token, introspects it and revokes it, signing each request', async () => {
    const config = await configFor(clientId, key.privateKey);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'reports:read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const active = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, clientId);
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
  });

  test('discovery advertises private_key_jwt and asymmetric signing algorithms only', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    for (const k of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
      assert.ok(meta[`${k}_auth_methods_supported`]?.includes('private_key_jwt'), k);
      const algs = meta[`${k}_auth_signing_alg_values_supported`] ?? [];
      assert.ok(algs.includes('ES256') && algs.includes('RS256'), k);
      assert.ok(!algs.some((a) => a === 'none' || a.startsWith('HS')), k);
    }
  });

  test('the audience may be the issuer, the token endpoint or the endpoint used', async () => {
    for (const aud of [t.url, `${t.url}/token`]) {
      assert.equal((await post('/token', withAssertion(await assertion(key, clientId, aud)))).status, 200, aud);
    }
    const r = await post('/introspect', {
      token: 'x',
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, clientId, `${t.url}/introspect`),
    });
    assert.equal(r.status, 200);
  });

  test('a replayed assertion (same jti) is refused', async () => {
    const jwt = await assertion(key, clientId, t.url);
    assert.equal((await post('/token', withAssertion(jwt))).status, 200);
    const again = await post('/token', withAssertion(jwt));
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
    // A new assertion with the jti of the first is refused too.
    const [, payload = ''] = jwt.split('.');
    const { jti } = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string };
    assert.equal((await post('/token', withAssertion(await assertion(key, clientId, t.url, { jti })))).status, 401);
  });

  const refusals: [string, () => Promise<string>][] = [
    ['a wrong aud', () => assertion(key, clientId, 'https://other.example')],
    ['aud of another endpoint of this server', () => assertion(key, clientId, `${t.url}/userinfo`)],
    ['alg none', async () => unsignedAssertion(clientId, t.url)],
    [
      'an HMAC signature made with the public key',
      async () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const input = `${part({ alg: 'HS256', kid: key.kid })}.${part({ iss: clientId, sub: clientId, aud: t.url, jti: 'h1', exp: now + 60 })}`;
        const mac = createHmac('sha256', JSON.stringify(key.publicJwk)).update(input).digest('base64url');
        return `${input}.${mac}`;
      },
    ],
    ['an expired assertion', () => assertion(key, clientId, t.url, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['an assertion valid for an hour', () => assertion(key, clientId, t.url, { exp: Math.floor(Date.now() / 1000) + 3600 })],
    ['no jti', () => assertion(key, clientId, t.url, { jti: undefined })],
    ['iss not the client', () => assertion(key, clientId, t.url, { iss: 'someone-else' })],
    ['sub not the client', () => assertion(key, clientId, t.url, { sub: 'someone-else' })],
    ['a key the client did not register', async () => assertion(await clientKey('ES256', key.kid), clientId, t.url)],
  ];
  for (const [name, make] of refusals) {
    test(`refused: ${name}`, async () => {
      const r = await post('/token', withAssertion(await make()));
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_client');
    });
  }

  test('a wrong client_assertion_type, or client_id naming another client, is refused', async () => {
    const jwt = await assertion(key, clientId, t.url);
    assert.equal((await post('/token', withAssertion(jwt, { client_assertion_type: 'urn:x' }))).status, 401);
    const other = await post('/token', withAssertion(await assertion(key, clientId, t.url), { client_id: 'another' }));
    assert.equal(other.status, 400);
    assert.equal(other.body.error, 'invalid_request');
  });

  test('an assertion with Basic credentials as well is two methods: refused', async () => {
    const { client: c, secret } = await t.addClient({ grantTypes: ['client_credentials'], scope: '' });
    const r = await post('/token', withAssertion(await assertion(key, clientId, t.url)), basic(c.clientId, secret ?? ''));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_request');
  });

  test('a client registered for a secret cannot authenticate with an assertion, nor this client with a secret', async () => {
    const { client: c } = await t.addClient({ grantTypes: ['client_credentials'], scope: '' });
    const signed = await post('/token', withAssertion(await assertion(key, c.clientId, t.url)));
    assert.equal(signed.status, 401);
    const r = await post('/token', { grant_type: 'client_credentials' }, basic(clientId, 'guess'));
    assert.equal(r.status, 401);
  });
});

describe('private_key_jwt with a jwks_uri', () => {
  let jwks: JwksServer;
  let uriClient: string;
  let first: ClientKey;

  before(async () => {
    first = await clientKey('RS256');
    jwks = await jwksServer([first.publicJwk]);
    const { client: c } = await t.addClient({ grantTypes: ['client_credentials'], scope: '', jwksUri: jwks.url });
    uriClient = c.clientId;
  });
  after(() => jwks?.close());

  test('the keys are fetched once and cached; a new kid is fetched again, at most once a minute', async () => {
    // Assertions dated by the server's clock, which the test moves.
    const signed = (k: ClientKey) => {
      const now = t.server.deps.clock();
      return assertion(k, uriClient, t.url, { iat: now, exp: now + 60 });
    };
    for (let i = 0; i < 3; i++) assert.equal((await post('/token', withAssertion(await signed(first)))).status, 200);
    assert.equal(jwks.fetches, 1, 'cached');
    // The client rotates its key: the unknown kid makes the server fetch the set again.
    const second = await clientKey('ES256');
    jwks.keys = [second.publicJwk];
    t.advance(61);
    assert.equal((await post('/token', withAssertion(await signed(second)))).status, 200);
    assert.equal(jwks.fetches, 2);
    // Unknown kids right after cost no fetch: the interval bounds what a stream of them can cause.
    const third = await clientKey('ES256');
    jwks.keys = [third.publicJwk];
    for (let i = 0; i < 5; i++) assert.equal((await post('/token', withAssertion(await signed(third)))).status, 401);
    assert.equal(jwks.fetches, 2);
  });

  test('a jwks_uri that redirects, or does not answer 200, is refused', async () => {
    const k = await clientKey('ES256');
    for (const answer of [
      { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
      { status: 500, body: '{}' },
    ]) {
      const js = await jwksServer([k.publicJwk]);
      js.answer = answer;
      const { client: c } = await t.addClient({ grantTypes: ['client_credentials'], scope: '', jwksUri: js.url });
      const r = await post('/token', withAssertion(await assertion(k, c.clientId, t.url)));
      assert.equal(r.status, 401, String(answer.status));
      assert.equal(js.fetches, 1);
      await js.close();
    }
    assert.ok(
      t.logs.some((l) => l.event === 'client.auth_failure' && /jwks_uri .* could not be used: answered 302/.test(String(l.reason))),
    );
  });
});

describe('jwks_uri fetching off', () => {
  test('without outboundFetch.allowLoopback a loopback jwks_uri is never fetched', async () => {
    const s = await startTestServer();
    const k = await clientKey('ES256');
    const js = await jwksServer([k.publicJwk]);
    try {
      const { client: c } = await s.addClient({ grantTypes: ['client_credentials'], scope: '', jwksUri: js.url });
      const res = await fetch(`${s.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(withAssertion(await assertion(k, c.clientId, s.url))),
      });
      assert.equal(res.status, 401);
      assert.equal(js.fetches, 0);
    } finally {
      await js.close();
      await s.close();
    }
  });
});
