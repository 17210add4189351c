// E2E: the authorization code grant driven by openid-client (an independent client library).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { Browser } from '../helpers/browser.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

async function configFor(clientId: string, auth: client.ClientAuth, server: TestServer = t): Promise<client.Configuration> {
  return client.discovery(new URL(server.url), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
}

/** Runs the whole flow in a fresh browser and returns the tokens. */
async function codeFlow(config: client.Configuration, user: { username: string; password: string }, scope: string) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const openid = scope.split(' ').includes('openid');
  const nonce = openid ? client.randomNonce() : undefined;
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    ...(nonce ? { nonce } : {}),
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const landing = await new Browser().authorize(url.href, user);
  assert.equal(landing.status, 303);
  assert.ok(landing.url.startsWith(`${REDIRECT_URI}?`), landing.url);
  const tokens = await client.authorizationCodeGrant(config, new URL(landing.url), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    ...(nonce ? { expectedNonce: nonce } : {}),
    idTokenExpected: openid,
  });
  return { tokens, landing: new URL(landing.url) };
}

describe('confidential client, client_secret_basic', () => {
  test('code → tokens → userinfo → refresh, every token valid', async () => {
    const user = await t.addUser('alice', 'alice password 1', { email: 'alice@example.com', name: 'Alice Liddell' });
    const { client: c, secret } = await t.addClient({ name: 'Basic App' });
    const config = await configFor(c.clientId, client.ClientSecretBasic(secret ?? ''));
    const { tokens, landing } = await codeFlow(config, user, 'openid profile email offline_access');

    // RFC 9207: the response names the issuer.
    assert.equal(landing.searchParams.get('iss'), t.url);
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, 'openid profile email offline_access');
    assert.ok(tokens.expires_in && tokens.expires_in > 0);
    assert.ok(tokens.refresh_token);

    // The ID token passed openid-client's validation; check the claims the issue names.
    const idClaims = tokens.claims();
    assert.ok(idClaims);
    assert.equal(idClaims.sub, user.id);
    assert.equal(idClaims.aud, c.clientId);
    assert.equal(typeof idClaims.auth_time, 'number');
    assert.equal(typeof idClaims.at_hash, 'string');
    assert.equal(decodeProtectedHeader(tokens.id_token ?? '').alg, 'RS256');

    // RFC 9068 access token, verified with jose against the published JWKS.
    const jwks = createRemoteJWKSet(new URL(`${t.url}/jwks`));
    const at = await jwtVerify(tokens.access_token, jwks, { issuer: t.url, audience: t.url, typ: 'at+jwt' });
    assert.equal(at.payload.sub, user.id);
    assert.equal(at.payload.client_id, c.clientId);
    assert.equal(at.payload.scope, 'openid profile email offline_access');
    assert.ok(at.payload.jti && at.payload.iat && at.payload.exp);

    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    assert.deepEqual(info, {
      sub: user.id,
      preferred_username: 'alice',
      name: 'Alice Liddell',
      email: 'alice@example.com',
      email_verified: false,
    });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'rotated');
    assert.notEqual(refreshed.access_token, tokens.access_token);
    // OIDC Core §12.2: by default a refresh answer carries no new ID token (refreshIdToken).
    assert.equal(refreshed.id_token, undefined);

    // A refresh may narrow the scope.
    const narrow = await client.refreshTokenGrant(config, refreshed.refresh_token ?? '', { scope: 'openid' });
    assert.equal(narrow.scope, 'openid');
    const narrowed = await jwtVerify(narrow.access_token, jwks, { issuer: t.url, typ: 'at+jwt' });
    assert.equal(narrowed.payload.scope, 'openid');
    const onlySub = await client.fetchUserInfo(config, narrow.access_token, user.id);
    assert.deepEqual(onlySub, { sub: user.id });
  });

  test('without offline_access there is no refresh token', async () => {
    const user = await t.addUser();
    const { client: c, secret } = await t.addClient();
    const config = await configFor(c.clientId, client.ClientSecretBasic(secret ?? ''));
    const { tokens } = await codeFlow(config, user, 'openid');
    assert.equal(tokens.refresh_token, undefined);
    assert.ok(tokens.id_token);
  });

  test('without openid there is no ID token', async () => {
    const user = await t.addUser();
    const { client: c, secret } = await t.addClient({ scope: 'profile offline_access' });
    const config = await configFor(c.clientId, client.ClientSecretBasic(secret ?? ''));
    const { tokens } = await codeFlow(config, user, 'profile offline_access');
    assert.equal(tokens.id_token, undefined);
    assert.ok(tokens.refresh_token);
  });
});

describe('other client authentication methods', () => {
  test('client_secret_post', async () => {
    const user = await t.addUser();
    const { client: c, secret } = await t.addClient({ tokenEndpointAuthMethod: 'client_secret_post' });
    const config = await configFor(c.clientId, client.ClientSecretPost(secret ?? ''));
    const { tokens } = await codeFlow(config, user, 'openid offline_access');
    assert.ok(tokens.access_token && tokens.refresh_token);
    const again = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.ok(again.access_token);
  });

  test('public client: PKCE alone, refresh too', async () => {
    const user = await t.addUser();
    const { client: c, secret } = await t.addClient({ public: true });
    assert.equal(secret, null);
    const config = await configFor(c.clientId, client.None());
    const { tokens } = await codeFlow(config, user, 'openid profile offline_access');
    assert.ok(tokens.access_token && tokens.id_token && tokens.refresh_token);
    const again = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.ok(again.access_token);
  });
});

describe('discovery and JWKS', () => {
  test('both metadata documents agree and advertise only what is implemented', async () => {
    const oidc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const oauth = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.deepEqual(oidc, oauth);
    assert.equal(oidc.issuer, t.url);
    assert.deepEqual(oidc.response_types_supported, ['code']);
    assert.deepEqual(oidc.grant_types_supported, [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ]);
    assert.deepEqual(oidc.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(oidc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    assert.ok((oidc.id_token_signing_alg_values_supported as string[]).includes('RS256'));
    assert.equal(oidc.authorization_response_iss_parameter_supported, true);
    // Every advertised endpoint answers (no 404).
    const posted = [
      'token_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'pushed_authorization_request_endpoint',
      'device_authorization_endpoint',
    ];
    for (const key of ['authorization_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', ...posted]) {
      const res = await fetch(oidc[key] as string, { method: posted.includes(key) ? 'POST' : 'GET' });
      assert.notEqual(res.status, 404, key);
      await res.arrayBuffer();
    }
    for (const absent of ['registration_endpoint', 'client_id_metadata_document_supported']) {
      assert.equal(oidc[absent], undefined, absent);
    }
  });

  test('JWKS publishes only public keys', async () => {
    const res = await fetch(`${t.url}/jwks`);
    assert.match(res.headers.get('content-type') ?? '', /application\/jwk-set\+json/);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 2);
    for (const k of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(k[secret], undefined, `private member ${secret}`);
      assert.ok(k.kid && k.alg);
    }
  });
});

describe('signing algorithms are configurable per token type', () => {
  test('EdDSA access tokens and ES256 ID tokens, validated by openid-client and jose', async () => {
    const other = await startTestServer({ accessTokenAlg: 'EdDSA', idTokenAlg: 'ES256' });
    try {
      const user = await other.addUser();
      const { client: c, secret } = await other.addClient();
      const config = await configFor(c.clientId, client.ClientSecretBasic(secret ?? ''), other);
      assert.deepEqual(config.serverMetadata().id_token_signing_alg_values_supported, ['ES256']);
      const { tokens } = await codeFlow(config, user, 'openid');
      assert.equal(decodeProtectedHeader(tokens.id_token ?? '').alg, 'ES256');
      assert.equal(decodeProtectedHeader(tokens.access_token).alg, 'EdDSA');
      const jwks = createRemoteJWKSet(new URL(`${other.url}/jwks`));
      await jwtVerify(tokens.access_token, jwks, { issuer: other.url, typ: 'at+jwt', algorithms: ['EdDSA'] });
    } finally {
      await other.close();
    }
  });
});

test('with refreshIdToken a refresh answer carries a new ID token that openid-client validates', async () => {
  const other = await startTestServer({ refreshIdToken: true });
  try {
    const user = await other.addUser();
    const { client: c, secret } = await other.addClient();
    const config = await configFor(c.clientId, client.ClientSecretBasic(secret ?? ''), other);
    const { tokens } = await codeFlow(config, user, 'openid offline_access');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    assert.equal(refreshed.claims()?.sub, user.id);
    assert.equal(refreshed.claims()?.auth_time, tokens.claims()?.auth_time);
    // OIDC Core §12.2: the same authentication event, so the same amr as the first ID token.
    assert.deepEqual(tokens.claims()?.amr, ['pwd']);
    assert.deepEqual(refreshed.claims()?.amr, tokens.claims()?.amr);
  } finally {
    await other.close();
  }
});
