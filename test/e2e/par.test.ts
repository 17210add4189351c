// E2E: pushed authorization requests (RFC 9126) with openid-client, and each refusal: a reused or
// expired request_uri, another client's, a pushed request_uri, a bad redirect URI, and PAR required
// per client and for every client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { assertion, clientKey, JWT_BEARER } from '../helpers/assertions.ts';
import { Browser } from '../helpers/browser.ts';
import { basic, codeRequestUrl, pkce } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer();
  user = await t.addUser();
});
after(() => t?.close());

async function push(form: Record<string, string>, auth?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${t.url}/par`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const codeParams = () => ({
  response_type: 'code',
  redirect_uri: REDIRECT_URI,
  scope: 'openid',
  state: 'pushed-state',
  code_challenge: pkce().challenge,
  code_challenge_method: 'S256',
});

const authorizeWith = (clientId: string, requestUri: string, extra: Record<string, string> = {}) =>
  `${t.url}/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri, ...extra })}`;

describe('pushed authorization requests', () => {
  test('openid-client pushes the request, the person signs in, and the code is redeemed', async () => {
    const { client: c, secret } = await t.addClient();
    const config = await client.discovery(new URL(t.url), c.clientId, undefined, client.ClientSecretBasic(secret ?? ''), {
      execute: [client.allowInsecureRequests],
    });
    assert.equal(config.serverMetadata().pushed_authorization_request_endpoint, `${t.url}/par`);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const landing = await new Browser().authorize(url.href, user);
    assert.ok(landing.url.startsWith(`${REDIRECT_URI}?`), landing.url);
    const tokens = await client.authorizationCodeGrant(config, new URL(landing.url), { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token);
  });

  test('the response is 201 with request_uri and expires_in, and a private_key_jwt client may push', async () => {
    const key = await clientKey('ES256');
    const { client: c } = await t.addClient({ jwks: { keys: [{ ...key.publicJwk }] } });
    const r = await push({
      ...codeParams(),
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, c.clientId, `${t.url}/par`),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(String(r.body.request_uri), /^urn:ietf:params:oauth:request_uri:[\w-]{43}$/);
    assert.equal(r.body.expires_in, 60);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  test('only the pushed parameters count: the state sent beside request_uri is ignored', async () => {
    const { client: c, secret } = await t.addClient();
    const r = await push(codeParams(), basic(c.clientId, secret ?? ''));
    const landing = await new Browser().authorize(authorizeWith(c.clientId, String(r.body.request_uri), { state: 'forged' }), user);
    assert.equal(new URL(landing.url).searchParams.get('state'), 'pushed-state');
  });

  test('a request_uri is used once', async () => {
    const { client: c, secret } = await t.addClient();
    const r = await push(codeParams(), basic(c.clientId, secret ?? ''));
    const first = await new Browser().open(authorizeWith(c.clientId, String(r.body.request_uri)));
    assert.equal(first.status, 200, 'the login page');
    const again = await new Browser().open(authorizeWith(c.clientId, String(r.body.request_uri)));
    assert.equal(again.status, 400);
    assert.match(again.html, /expired or was already used/);
  });

  test('an expired request_uri is refused', async () => {
    const { client: c, secret } = await t.addClient();
    const r = await push(codeParams(), basic(c.clientId, secret ?? ''));
    t.advance(61);
    const page = await new Browser().open(authorizeWith(c.clientId, String(r.body.request_uri)));
    assert.equal(page.status, 400);
    assert.match(page.html, /expired or was already used/);
  });

  test("another client's request_uri, and an unknown one, are refused with a page", async () => {
    const a = await t.addClient();
    const b = await t.addClient();
    const r = await push(codeParams(), basic(a.client.clientId, a.secret ?? ''));
    const page = await new Browser().open(authorizeWith(b.client.clientId, String(r.body.request_uri)));
    assert.equal(page.status, 400);
    assert.match(page.html, /another application/);
    const unknown = await new Browser().open(authorizeWith(a.client.clientId, 'urn:ietf:params:oauth:request_uri:nope'));
    assert.equal(unknown.status, 400);
  });

  test('the push is validated as /authorize would validate it, with JSON errors', async () => {
    const { client: c, secret } = await t.addClient();
    const auth = basic(c.clientId, secret ?? '');
    const cases: [Record<string, string>, number, string][] = [
      [{ ...codeParams(), request_uri: 'urn:x' }, 400, 'invalid_request'],
      [{ ...codeParams(), redirect_uri: 'https://evil.example/cb' }, 400, 'invalid_request'],
      [{ ...codeParams(), code_challenge_method: 'plain' }, 400, 'invalid_request'],
      [{ ...codeParams(), response_type: 'token' }, 400, 'unsupported_response_type'],
      [{ ...codeParams(), scope: 'openid admin' }, 400, 'invalid_scope'],
    ];
    for (const [form, status, error] of cases) {
      const r = await push(form, auth);
      assert.equal(r.status, status, JSON.stringify(form));
      assert.equal(r.body.error, error, JSON.stringify(r.body));
    }
    const wrong = await push(codeParams(), basic(c.clientId, 'wrong'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
  });

  test('a client registered to require PAR is refused a plain authorization request', async () => {
    const { client: c, secret } = await t.addClient({ requirePushedAuthorizationRequests: true });
    const page = await new Browser().open(codeRequestUrl(t.url, c.clientId, { state: 's1' }));
    assert.equal(page.status, 303);
    const back = new URL(page.url);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), 's1');
    const r = await push(codeParams(), basic(c.clientId, secret ?? ''));
    assert.equal((await new Browser().open(authorizeWith(c.clientId, String(r.body.request_uri)))).status, 200);
  });
});

describe('PAR required of every client', () => {
  test('discovery says so and a plain authorization request is refused', async () => {
    const s = await startTestServer({ requirePushedAuthorizationRequests: true });
    try {
      const meta = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      assert.equal(meta.require_pushed_authorization_requests, true);
      const { client: c } = await s.addClient();
      const page = await new Browser().open(codeRequestUrl(s.url, c.clientId));
      assert.equal(new URL(page.url).searchParams.get('error'), 'invalid_request');
    } finally {
      await s.close();
    }
  });
});
