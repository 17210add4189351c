// E2E: introspection (RFC 7662), revocation (RFC 7009), client credentials (RFC 6749 §4.4) and
// resource indicators (RFC 8707), driven by openid-client, refusals included.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { Browser } from '../helpers/browser.ts';
import { authorizeUrl, basic, codeRequestUrl, getCode, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const API = 'https://api.example.com';
const OTHER_API = 'https://other.example.com';
let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer({ scopes: ['api:read'] });
  user = await t.addUser('erin', 'erin password 1');
});
after(() => t.close());

async function confidential(extra: Parameters<TestServer['addClient']>[0] = {}) {
  const { client, secret } = await t.addClient({ scope: 'openid offline_access api:read', ...extra });
  const config = await oidc.discovery(new URL(t.url), client.clientId, undefined, oidc.ClientSecretBasic(secret ?? ''), {
    execute: [oidc.allowInsecureRequests],
  });
  return { client, secret: secret ?? '', config, auth: basic(client.clientId, secret ?? '') };
}

async function tokensFor(c: Awaited<ReturnType<typeof confidential>>, extra: Record<string, string> = {}) {
  const e = await getCode(t.url, c.client.clientId, user, extra);
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI },
    c.auth,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { access_token: string; refresh_token: string; id_token: string };
}

describe('introspection', () => {
  test('active access and refresh tokens, with the RFC 7662 fields', async () => {
    const c = await confidential();
    const tokens = await tokensFor(c);
    const at = await oidc.tokenIntrospection(c.config, tokens.access_token);
    assert.equal(at.active, true);
    assert.equal(at.client_id, c.client.clientId);
    assert.equal(at.iss, t.url);
    assert.equal(at.aud, t.url);
    assert.equal(at.scope, 'openid offline_access');
    assert.equal(at.token_type, 'Bearer');
    assert.ok(typeof at.sub === 'string' && typeof at.exp === 'number' && typeof at.iat === 'number');
    const rt = await oidc.tokenIntrospection(c.config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    assert.equal(rt.active, true);
    assert.equal(rt.client_id, c.client.clientId);
    assert.equal(rt.sub, at.sub);
  });

  test('a resource server (a client registered with the resource) may introspect its access tokens, not refresh tokens', async () => {
    const owner = await confidential({ resources: [API] });
    const rs = await confidential({ resources: [API] });
    const stranger = await confidential();
    const tokens = await tokensFor(owner, { resource: API });
    assert.equal((await oidc.tokenIntrospection(rs.config, tokens.access_token)).active, true);
    assert.deepEqual(await oidc.tokenIntrospection(rs.config, tokens.refresh_token), { active: false });
    // RFC 7662 §4: any other client learns nothing about the token.
    assert.deepEqual(await oidc.tokenIntrospection(stranger.config, tokens.access_token), { active: false });
  });

  test('unknown, expired and revoked tokens answer only active: false', async () => {
    const c = await confidential();
    const tokens = await tokensFor(c);
    assert.deepEqual(await oidc.tokenIntrospection(c.config, 'not-a-token'), { active: false });
    assert.deepEqual(await oidc.tokenIntrospection(c.config, 'a.b.c'), { active: false });
    t.advance(901);
    try {
      assert.deepEqual(await oidc.tokenIntrospection(c.config, tokens.access_token), { active: false });
    } finally {
      t.advance(-901);
    }
    // Code reuse revokes the grant: a JWT that still verifies is reported inactive.
    const e = await getCode(t.url, c.client.clientId, user);
    const form = { grant_type: 'authorization_code', code: e.code, code_verifier: e.verifier, redirect_uri: REDIRECT_URI };
    const first = await tokenRequest(t.url, form, c.auth);
    await tokenRequest(t.url, form, c.auth);
    assert.deepEqual(await oidc.tokenIntrospection(c.config, String(first.body.access_token)), { active: false });
    assert.deepEqual(await oidc.tokenIntrospection(c.config, String(first.body.refresh_token)), { active: false });
  });

  test('refusals: no client authentication, a public client, a wrong secret', async () => {
    const c = await confidential();
    const tokens = await tokensFor(c);
    const form = (extra: Record<string, string>) =>
      fetch(`${t.url}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(extra.auth ? { authorization: extra.auth } : {}) },
        body: new URLSearchParams({ token: tokens.access_token, ...(extra.client_id ? { client_id: extra.client_id } : {}) }),
      });
    const anonymous = await form({});
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: string }).error, 'invalid_client');
    const pub = await t.addClient({ public: true });
    const asPublic = await form({ client_id: pub.client.clientId });
    assert.equal(asPublic.status, 401);
    await asPublic.arrayBuffer();
    const wrong = await form({ auth: basic(c.client.clientId, 'wrong') });
    assert.equal(wrong.status, 401);
    await wrong.arrayBuffer();
  });
});

describe('revocation', () => {
  test('revoking a refresh token ends its grant: refresh and access tokens', async () => {
    const c = await confidential();
    const tokens = await tokensFor(c);
    await oidc.tokenRevocation(c.config, tokens.refresh_token);
    assert.deepEqual(await oidc.tokenIntrospection(c.config, tokens.access_token), { active: false });
    const refresh = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, c.auth);
    assert.equal(refresh.body.error, 'invalid_grant');
    assert.ok(t.logs.some((l) => l.event === 'token.revoked' && l.token_type === 'refresh_token'));
  });

  test('revoking an access token ends only that token', async () => {
    const c = await confidential();
    const tokens = await tokensFor(c);
    // The hint is wrong on purpose: it is honoured as a hint, not trusted.
    await oidc.tokenRevocation(c.config, tokens.access_token, { token_type_hint: 'refresh_token' });
    assert.deepEqual(await oidc.tokenIntrospection(c.config, tokens.access_token), { active: false });
    const info = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(info.status, 401);
    await info.arrayBuffer();
    const refresh = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, c.auth);
    assert.equal(refresh.status, 200);
  });

  test('unknown tokens get 200; another client cannot revoke my tokens', async () => {
    const c = await confidential();
    await oidc.tokenRevocation(c.config, 'no-such-token');
    const tokens = await tokensFor(c);
    const other = await confidential();
    for (const token of [tokens.refresh_token, tokens.access_token]) {
      await assert.rejects(oidc.tokenRevocation(other.config, token), (e: { error?: string }) => e.error === 'unauthorized_client');
    }
    assert.equal((await oidc.tokenIntrospection(c.config, tokens.access_token)).active, true);
    assert.equal((await oidc.tokenIntrospection(c.config, tokens.refresh_token)).active, true);
  });

  test('a public client revokes its own refresh token with its client_id', async () => {
    const { client } = await t.addClient({ public: true });
    const config = await oidc.discovery(new URL(t.url), client.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const e = await getCode(t.url, client.clientId, user);
    const tokens = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      code: e.code,
      code_verifier: e.verifier,
      redirect_uri: REDIRECT_URI,
    });
    await oidc.tokenRevocation(config, String(tokens.body.refresh_token));
    const refresh = await tokenRequest(t.url, {
      grant_type: 'refresh_token',
      client_id: client.clientId,
      refresh_token: String(tokens.body.refresh_token),
    });
    assert.equal(refresh.body.error, 'invalid_grant');
  });
});

describe('client credentials', () => {
  test('a confidential client gets an access token for itself, without a refresh token', async () => {
    const c = await confidential({ grantTypes: ['client_credentials'], redirectUris: [], scope: 'api:read', resources: [API] });
    const res = await oidc.clientCredentialsGrant(c.config, { scope: 'api:read' });
    assert.equal(res.refresh_token, undefined);
    assert.equal(res.scope, 'api:read');
    const claims = decodeJwt(res.access_token);
    assert.equal(claims.sub, c.client.clientId);
    assert.equal(claims.client_id, c.client.clientId);
    assert.equal(claims.aud, t.url);
    const forApi = await oidc.clientCredentialsGrant(c.config, { resource: API });
    assert.equal(decodeJwt(forApi.access_token).aud, API);
    assert.equal((await oidc.tokenIntrospection(c.config, forApi.access_token)).active, true);
  });

  test('refusals: a public client, a client without the grant, a user scope, an unknown resource', async () => {
    const pub = await t.addClient({ public: true });
    const asPublic = await tokenRequest(t.url, { grant_type: 'client_credentials', client_id: pub.client.clientId });
    assert.equal(asPublic.body.error, 'unauthorized_client');
    const codeOnly = await confidential();
    assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials' }, codeOnly.auth)).body.error, 'unauthorized_client');
    const cc = await confidential({ grantTypes: ['client_credentials'], redirectUris: [], scope: 'openid api:read' });
    assert.equal((await tokenRequest(t.url, { grant_type: 'client_credentials', scope: 'openid' }, cc.auth)).body.error, 'invalid_scope');
    const target = await tokenRequest(t.url, { grant_type: 'client_credentials', resource: OTHER_API }, cc.auth);
    assert.equal(target.status, 400);
    assert.equal(target.body.error, 'invalid_target');
  });
});

describe('resource indicators', () => {
  test('resource at authorize sets aud; the token endpoint narrows to one of them', async () => {
    const c = await confidential({ resources: [API, OTHER_API] });
    const { verifier, challenge } = pkce();
    const url = new URL(
      authorizeUrl(t.url, {
        response_type: 'code',
        client_id: c.client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'openid offline_access api:read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    url.searchParams.append('resource', API);
    url.searchParams.append('resource', OTHER_API);
    const page = await new Browser().authorize(url.href, user);
    const code = new URL(page.url).searchParams.get('code') ?? '';
    const both = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
      c.auth,
    );
    assert.equal(both.status, 200, JSON.stringify(both.body));
    assert.deepEqual(decodeJwt(String(both.body.access_token)).aud, [API, OTHER_API]);
    const one = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: String(both.body.refresh_token), resource: API },
      c.auth,
    );
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.equal(decodeJwt(String(one.body.access_token)).aud, API);
    const outside = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: String(one.body.refresh_token), resource: 'https://elsewhere.example.com' },
      c.auth,
    );
    assert.equal(outside.body.error, 'invalid_target');
  });

  test('a resource the client may not use is refused at authorize with invalid_target', async () => {
    const c = await confidential({ resources: [API] });
    const res = await fetch(codeRequestUrl(t.url, c.client.clientId, { state: 'r1', resource: OTHER_API }), { redirect: 'manual' });
    const q = new URL(res.headers.get('location') ?? '').searchParams;
    assert.equal(q.get('error'), 'invalid_target');
    assert.equal(q.get('state'), 'r1');
    const fragment = await fetch(codeRequestUrl(t.url, c.client.clientId, { resource: `${API}#x` }), { redirect: 'manual' });
    assert.equal(new URL(fragment.headers.get('location') ?? '').searchParams.get('error'), 'invalid_target');
  });
});
