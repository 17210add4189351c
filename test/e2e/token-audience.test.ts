// E2E: tokens are accepted only where they belong — UserInfo only for tokens whose audience includes
// this server, introspection only for the token's client or its resource servers, and id_token_hint
// only for ID tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { signJwt } from '../../src/tokens/jws.ts';
import { Browser } from '../helpers/browser.ts';
import { authorizeUrl, basic, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const API = 'https://api.example';
const OTHER_API = 'https://other.example';
let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer({ scopes: ['api:read'] });
  user = await t.addUser('grace', 'grace password 1', { email: 'grace@example.com' });
});
after(() => t.close());

async function newClient(server: TestServer, extra: Parameters<TestServer['addClient']>[0] = {}) {
  const { client, secret } = await server.addClient({ scope: 'openid email offline_access api:read', resources: [API], ...extra });
  return { id: client.clientId, auth: basic(client.clientId, secret ?? '') };
}

/** A code flow asking for the given resources (RFC 8707: `resource` repeated). */
async function tokensFor(
  server: TestServer,
  client: { id: string; auth: string },
  resources: string[],
  browser = new Browser(),
): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const { verifier, challenge } = pkce();
  const url = new URL(
    authorizeUrl(server.url, {
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT_URI,
      scope: 'openid email offline_access api:read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  for (const r of resources) url.searchParams.append('resource', r);
  const page = await browser.authorize(url.href, user);
  const code = new URL(page.url).searchParams.get('code') ?? '';
  const res = await tokenRequest(
    server.url,
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
    client.auth,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { access_token: string; refresh_token: string; id_token: string };
}

async function userinfo(server: TestServer, token: string) {
  const res = await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', body: (await res.json()) as Record<string, unknown> };
}

async function introspect(as: { auth: string }, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}/introspect`, {
    method: 'POST',
    headers: { authorization: as.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

describe('UserInfo accepts only tokens whose audience includes this server', () => {
  test('a token for the default audience (the issuer) is accepted', async () => {
    const c = await newClient(t);
    const tokens = await tokensFor(t, c, []);
    assert.equal(decodeJwt(tokens.access_token).aud, t.url);
    const info = await userinfo(t, tokens.access_token);
    assert.equal(info.status, 200);
    assert.equal(info.body.email, 'grace@example.com');
  });

  test('a token issued only for another resource is invalid_token, with the RFC 6750 challenge and no claims', async () => {
    const c = await newClient(t);
    const tokens = await tokensFor(t, c, [API]);
    assert.equal(decodeJwt(tokens.access_token).aud, API);
    const info = await userinfo(t, tokens.access_token);
    assert.equal(info.status, 401);
    assert.equal(info.body.error, 'invalid_token');
    assert.equal(info.body.email, undefined);
    assert.match(info.challenge, /^Bearer error="invalid_token", error_description="[^"]+"$/);
  });

  test('the audience list decides: the issuer and a resource is accepted, narrowing to the resource is not', async () => {
    const c = await newClient(t);
    const both = await tokensFor(t, c, [t.url, API]);
    assert.deepEqual(decodeJwt(both.access_token).aud, [t.url, API]);
    assert.equal((await userinfo(t, both.access_token)).status, 200);
    const narrowed = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: both.refresh_token, resource: API }, c.auth);
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    assert.equal((await userinfo(t, String(narrowed.body.access_token))).status, 401);
  });

  test('with a default audience other than the issuer, openid tokens name both; a resource-only token is refused', async () => {
    const other = await startTestServer({ scopes: ['api:read'], defaultAudience: API });
    try {
      await other.addUser(user.username, user.password, { email: 'grace@example.com' });
      const c = await newClient(other, { resources: [OTHER_API] });
      const tokens = await tokensFor(other, c, []);
      assert.deepEqual(decodeJwt(tokens.access_token).aud, [API, other.url]);
      assert.equal((await userinfo(other, tokens.access_token)).body.email, 'grace@example.com');
      const forApi = await tokensFor(other, c, [OTHER_API]);
      assert.equal((await userinfo(other, forApi.access_token)).status, 401);
      // Without openid, the default audience alone.
      const cc = await other.addClient({ grantTypes: ['client_credentials'], redirectUris: [], scope: 'api:read' });
      const machine = await tokenRequest(other.url, { grant_type: 'client_credentials' }, basic(cc.client.clientId, cc.secret ?? ''));
      assert.equal(decodeJwt(String(machine.body.access_token)).aud, API);
    } finally {
      await other.close();
    }
  });
});

describe('introspection tells a client only about its own tokens and those of its resources (RFC 7662 §4)', () => {
  test("the token's client sees its access and refresh tokens", async () => {
    const c = await newClient(t);
    const tokens = await tokensFor(t, c, [API]);
    assert.equal((await introspect(c, tokens.access_token)).active, true);
    assert.equal((await introspect(c, tokens.refresh_token)).client_id, c.id);
  });

  test('a resource server registered with the resource sees tokens issued for it, nothing else', async () => {
    const app = await newClient(t, { resources: [API, OTHER_API] });
    const rs = await newClient(t, { grantTypes: ['client_credentials'], redirectUris: [], scope: 'api:read', resources: [API] });
    const forApi = await tokensFor(t, app, [API]);
    const seen = await introspect(rs, forApi.access_token);
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, app.id);
    const forBoth = await tokensFor(t, app, [API, OTHER_API]);
    assert.equal((await introspect(rs, forBoth.access_token)).active, true);
    const forOther = await tokensFor(t, app, [OTHER_API]);
    assert.deepEqual(await introspect(rs, forOther.access_token), { active: false });
    const forIssuer = await tokensFor(t, app, []);
    assert.deepEqual(await introspect(rs, forIssuer.access_token), { active: false });
    // A refresh token is only ever its own client's business.
    assert.deepEqual(await introspect(rs, forApi.refresh_token), { active: false });
  });

  test('a client registered with no resource of the token learns nothing, not even that it exists', async () => {
    const app = await newClient(t);
    const stranger = await newClient(t, { resources: [] });
    const tokens = await tokensFor(t, app, [API]);
    assert.deepEqual(await introspect(stranger, tokens.access_token), { active: false });
    assert.deepEqual(await introspect(stranger, tokens.refresh_token), { active: false });
  });
});

describe('id_token_hint must be an ID token this server issued', () => {
  const hintUrl = (hint: string, extra = '') => `${t.url}/end-session?id_token_hint=${hint}${extra}`;

  test('an ID token is a hint; an access token of the same sign-in is refused for its typ', async () => {
    const c = await newClient(t);
    const browser = new Browser();
    const tokens = await tokensFor(t, c, [], browser);
    const refused = await browser.open(hintUrl(tokens.access_token));
    assert.equal(refused.status, 400);
    assert.match(refused.html, /ID token this server did not issue/);
    assert.ok(browser.cookies.has('lk_session'), 'still signed in');
    const done = await browser.open(hintUrl(tokens.id_token));
    assert.equal(done.status, 200);
    assert.match(done.html, /You are signed out/);
    assert.equal(browser.cookies.has('lk_session'), false);
  });

  test('a token signed by this server with typ at+jwt is refused even when its claims look like an ID token', async () => {
    const c = await newClient(t);
    const browser = new Browser();
    const tokens = await tokensFor(t, c, [], browser);
    const claims = decodeJwt(tokens.id_token);
    const key = t.server.deps.keys.signing(t.server.deps.config.accessTokenAlg);
    const disguised = signJwt({ ...claims }, key, 'at+jwt');
    const res = await browser.open(hintUrl(disguised));
    assert.equal(res.status, 400);
    assert.match(res.html, /ID token this server did not issue/);
    assert.ok(browser.cookies.has('lk_session'), 'still signed in');
  });

  test('the audience must be the one client the ID token was issued to', async () => {
    const c = await newClient(t);
    const other = await newClient(t);
    const browser = new Browser();
    const tokens = await tokensFor(t, c, [], browser);
    const claims = decodeJwt(tokens.id_token);
    const key = t.server.deps.keys.signing(t.server.deps.config.idTokenAlg);
    const twoClients = signJwt({ ...claims, aud: [c.id, other.id] }, key, 'JWT');
    assert.equal((await browser.open(hintUrl(twoClients))).status, 400);
    const mismatch = await browser.open(hintUrl(tokens.id_token, `&client_id=${other.id}`));
    assert.equal(mismatch.status, 400);
    assert.ok(browser.cookies.has('lk_session'), 'still signed in');
  });
});
