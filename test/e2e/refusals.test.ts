// E2E: every refusal of the authorization code grant, as a client or an attacker would meet it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { authorizeUrl, basic, getCode, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };
let clientId: string;
let auth: string;

before(async () => {
  t = await startTestServer();
  user = await t.addUser('bob', 'bob password 1');
  const { client, secret } = await t.addClient();
  clientId = client.clientId;
  auth = basic(clientId, secret ?? '');
});
after(() => t.close());

const codeGrant = (e: { code: string; verifier: string }, extra: Record<string, string> = {}) => ({
  grant_type: 'authorization_code',
  code: e.code,
  code_verifier: e.verifier,
  redirect_uri: REDIRECT_URI,
  ...extra,
});

describe('authorization endpoint: the client and redirect URI are checked before any redirect', () => {
  const { challenge } = pkce();
  const base = () => ({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

  for (const [name, uri] of [
    ['an unregistered URI', 'https://evil.example/callback'],
    ['a trailing slash', `${REDIRECT_URI}/`],
    ['an extra query', `${REDIRECT_URI}?x=1`],
    ['another port', 'http://127.0.0.1:10/callback'],
    ['upper case', REDIRECT_URI.toUpperCase()],
  ] as const) {
    test(`redirect_uri with ${name} is shown as a page, never redirected`, async () => {
      const res = await fetch(authorizeUrl(t.url, { ...base(), redirect_uri: uri }), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /redirect URI in the request is not registered/);
    });
  }

  test('a native client may use any loopback port, but none above 65535 (registration or request)', async () => {
    const native = await t.addClient({ public: true });
    const at = (port: number) =>
      fetch(authorizeUrl(t.url, { ...base(), client_id: native.client.clientId, redirect_uri: `http://127.0.0.1:${port}/callback` }), {
        redirect: 'manual',
      });
    const open = await at(65535);
    assert.equal(open.status, 303);
    assert.ok(open.headers.get('location')?.startsWith(`${t.url}/login/`), 'on to the login page');
    await open.arrayBuffer();
    for (const port of [65536, 99999]) {
      const res = await at(port);
      assert.equal(res.status, 400, String(port));
      assert.equal(res.headers.get('location'), null);
      assert.match(await res.text(), /redirect URI in the request is not registered/);
    }
    await assert.rejects(t.addClient({ public: true, redirectUris: ['http://127.0.0.1:65536/callback'] }), /port 65536, above 65535/);
  });

  test('an unknown client is shown as a page', async () => {
    const res = await fetch(authorizeUrl(t.url, { ...base(), client_id: 'nobody' }), { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    await res.arrayBuffer();
  });

  test('a repeated parameter is shown as a page', async () => {
    const res = await fetch(`${authorizeUrl(t.url, base())}&client_id=${clientId}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /repeated/);
  });

  async function redirectError(params: Record<string, string | undefined>): Promise<URLSearchParams> {
    const res = await fetch(authorizeUrl(t.url, params), { redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    // RFC 6749 §4.1.2.1 and RFC 9207: state and iss on every error response.
    assert.equal(location.searchParams.get('state'), 'xyz');
    assert.equal(location.searchParams.get('iss'), t.url);
    return location.searchParams;
  }

  test('missing PKCE is refused by redirect', async () => {
    const q = await redirectError({ ...base(), code_challenge: undefined, code_challenge_method: undefined });
    assert.equal(q.get('error'), 'invalid_request');
    assert.match(q.get('error_description') ?? '', /code_challenge/);
  });

  test('plain PKCE is refused', async () => {
    const q = await redirectError({ ...base(), code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    assert.equal(q.get('error'), 'invalid_request');
    assert.match(q.get('error_description') ?? '', /S256/);
  });

  test('a PKCE method left out (plain by default) is refused', async () => {
    const q = await redirectError({ ...base(), code_challenge_method: undefined });
    assert.equal(q.get('error'), 'invalid_request');
  });

  test('response_type other than code', async () => {
    assert.equal((await redirectError({ ...base(), response_type: 'token' })).get('error'), 'unsupported_response_type');
  });

  test('a scope the client may not have', async () => {
    assert.equal((await redirectError({ ...base(), scope: 'openid admin' })).get('error'), 'invalid_scope');
  });

  test('request objects are not supported', async () => {
    assert.equal((await redirectError({ ...base(), request: 'eyJ.x.y' })).get('error'), 'request_not_supported');
  });

  test('prompt=none combined with another value', async () => {
    assert.equal((await redirectError({ ...base(), prompt: 'none login' })).get('error'), 'invalid_request');
  });

  test('an unknown prompt value is refused without being echoed (RFC 6749 §5.2 characters only)', async () => {
    const hostile = 'x"<script>\\caf\u00e9';
    const q = await redirectError({ ...base(), prompt: hostile });
    assert.equal(q.get('error'), 'invalid_request');
    const description = q.get('error_description') ?? '';
    assert.match(description, /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    assert.doesNotMatch(description, /script|x'|caf/);
    assert.match(description, /prompt/);
  });

  test('prompt=none without a session answers login_required', async () => {
    assert.equal((await redirectError({ ...base(), prompt: 'none' })).get('error'), 'login_required');
  });

  test('a bad max_age', async () => {
    assert.equal((await redirectError({ ...base(), max_age: '-1' })).get('error'), 'invalid_request');
  });
});

describe('token endpoint refusals', () => {
  test('a wrong code_verifier', async () => {
    const e = await getCode(t.url, clientId, user);
    const res = await tokenRequest(t.url, codeGrant(e, { code_verifier: pkce().verifier }), auth);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a missing code_verifier', async () => {
    const e = await getCode(t.url, clientId, user);
    const { code_verifier: _, ...form } = codeGrant(e);
    const res = await tokenRequest(t.url, form, auth);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  test('a redirect_uri that differs from the authorization request', async () => {
    const e = await getCode(t.url, clientId, user);
    const res = await tokenRequest(t.url, codeGrant(e, { redirect_uri: 'http://127.0.0.1:9/other' }), auth);
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('code reuse fails and revokes every token issued from that code', async () => {
    const e = await getCode(t.url, clientId, user);
    const first = await tokenRequest(t.url, codeGrant(e), auth);
    assert.equal(first.status, 200);
    const info = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    assert.equal(info.status, 200);
    await info.arrayBuffer();

    const second = await tokenRequest(t.url, codeGrant(e), auth);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');

    const refresh = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) }, auth);
    assert.equal(refresh.body.error, 'invalid_grant');
    const revoked = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    await revoked.arrayBuffer();
    assert.ok(t.logs.some((l) => l.event === 'code.reuse'));
  });

  test('an expired code', async () => {
    const e = await getCode(t.url, clientId, user);
    t.advance(61);
    try {
      const res = await tokenRequest(t.url, codeGrant(e), auth);
      assert.equal(res.body.error, 'invalid_grant');
    } finally {
      t.advance(-61);
    }
  });

  test('a code presented by another client', async () => {
    const other = await t.addClient();
    const e = await getCode(t.url, clientId, user);
    const res = await tokenRequest(t.url, codeGrant(e), basic(other.client.clientId, other.secret ?? ''));
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a wrong client secret: 401 invalid_client with a Basic challenge', async () => {
    const e = await getCode(t.url, clientId, user);
    const res = await tokenRequest(t.url, codeGrant(e), basic(clientId, 'wrong'));
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    // The code was not consumed by the failed attempt.
    assert.equal((await tokenRequest(t.url, codeGrant(e), auth)).status, 200);
  });

  test('two authentication methods at once', async () => {
    const res = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'y' }, auth);
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  test('a confidential client without its secret', async () => {
    const res = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: 'x', client_id: clientId });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  test('rotated refresh token reuse revokes the whole grant', async () => {
    const e = await getCode(t.url, clientId, user);
    const first = await tokenRequest(t.url, codeGrant(e), auth);
    const rt1 = String(first.body.refresh_token);
    const second = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
    assert.equal(second.status, 200);
    const rt2 = String(second.body.refresh_token);

    // After the grace window, presenting the rotated token again is reuse.
    t.advance(11);
    const reuse = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
    t.advance(-11);
    assert.equal(reuse.body.error, 'invalid_grant');
    // The successor dies with the grant.
    const after = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt2 }, auth);
    assert.equal(after.body.error, 'invalid_grant');
    const info = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${second.body.access_token}` } });
    assert.equal(info.status, 401);
    await info.arrayBuffer();
    assert.ok(t.logs.some((l) => l.event === 'refresh.reuse'));
  });

  test('within the grace window the same successor comes back with a new access token, but not once the successor was used', async () => {
    const e = await getCode(t.url, clientId, user);
    const first = await tokenRequest(t.url, codeGrant(e), auth);
    const rt1 = String(first.body.refresh_token);
    const a = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
    const b = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
    assert.equal(b.status, 200);
    assert.equal(b.body.refresh_token, a.body.refresh_token);
    assert.notEqual(b.body.access_token, a.body.access_token);
    const info = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${b.body.access_token}` } });
    assert.equal(info.status, 200);
    await info.arrayBuffer();
    // The successor is used: rt1 is now an older token of the chain, and presenting it is reuse.
    const c = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(a.body.refresh_token) }, auth);
    assert.equal(c.status, 200);
    const late = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: rt1 }, auth);
    assert.equal(late.body.error, 'invalid_grant');
    const dead = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(c.body.refresh_token) }, auth);
    assert.equal(dead.body.error, 'invalid_grant', 'the grant was revoked');
  });

  test('a refresh may not widen the scope', async () => {
    const e = await getCode(t.url, clientId, user, { scope: 'openid offline_access' });
    const first = await tokenRequest(t.url, codeGrant(e), auth);
    const res = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), scope: 'openid offline_access email' },
      auth,
    );
    assert.equal(res.body.error, 'invalid_scope');
    // The refused request did not consume the token.
    const ok = await tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) }, auth);
    assert.equal(ok.status, 200);
  });

  test('a refresh token of another client', async () => {
    const other = await t.addClient();
    const e = await getCode(t.url, clientId, user);
    const first = await tokenRequest(t.url, codeGrant(e), auth);
    const res = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) },
      basic(other.client.clientId, other.secret ?? ''),
    );
    assert.equal(res.body.error, 'invalid_grant');
  });

  test('a client not allowed to refresh: unauthorized_client', async () => {
    const limited = await t.addClient({ grantTypes: ['authorization_code'] });
    const res = await tokenRequest(
      t.url,
      { grant_type: 'refresh_token', refresh_token: 'x' },
      basic(limited.client.clientId, limited.secret ?? ''),
    );
    assert.equal(res.body.error, 'unauthorized_client');
  });

  test('grant types and request formats', async () => {
    assert.equal((await tokenRequest(t.url, { grant_type: 'password' }, auth)).body.error, 'unsupported_grant_type');
    assert.equal((await tokenRequest(t.url, {}, auth)).body.error, 'invalid_request');
    const json = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    const repeated = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      body: 'grant_type=refresh_token&grant_type=authorization_code',
    });
    const repeatedBody = (await repeated.json()) as { error: string; error_description: string };
    assert.equal(repeatedBody.error, 'invalid_request');
    // RFC 6749 §5.2: no double quote or backslash in error_description.
    assert.equal(repeatedBody.error_description, 'the parameter grant_type is repeated');
    const get = await fetch(`${t.url}/token`);
    assert.equal(get.status, 405);
    await get.arrayBuffer();
  });

  test('successful token responses are not cached', async () => {
    const e = await getCode(t.url, clientId, user);
    const res = await tokenRequest(t.url, codeGrant(e), auth);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.token_type, 'Bearer');
  });
});

describe('userinfo refusals', () => {
  test('no token: bare Bearer and DPoP challenges', async () => {
    const res = await fetch(`${t.url}/userinfo`);
    assert.equal(res.status, 401);
    // RFC 6750 §3.1 and RFC 9449 §7.1: no error code, and the DPoP challenge names its algorithms.
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="latchkey", DPoP algs="ES256 [^"]*"$/);
    await res.arrayBuffer();
  });

  test('an ID token is not an access token', async () => {
    const e = await getCode(t.url, clientId, user);
    const tokens = await tokenRequest(t.url, codeGrant(e), auth);
    const res = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.body.id_token}` } });
    assert.equal(res.status, 401);
    await res.arrayBuffer();
  });

  test('a tampered token', async () => {
    const e = await getCode(t.url, clientId, user);
    const tokens = await tokenRequest(t.url, codeGrant(e), auth);
    const [h, p, s] = String(tokens.body.access_token).split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`;
    const res = await fetch(`${t.url}/userinfo`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
    await res.arrayBuffer();
  });
});

test('no secret, password, code or token appears in any log line', async () => {
  const e = await getCode(t.url, clientId, user);
  const tokens = await tokenRequest(t.url, codeGrant(e), auth);
  const text = JSON.stringify(t.logs);
  for (const secret of [user.password, e.code, e.verifier, String(tokens.body.access_token), String(tokens.body.refresh_token)]) {
    assert.ok(!text.includes(secret), 'a secret leaked into the logs');
  }
  assert.ok(!text.includes(auth.slice(6)));
});
