// E2E: a client registers its keys (RFC 7591 §2 jwks / jwks_uri) and authenticates at the token
// endpoint with private_key_jwt (RFC 7523) through openid-client; RFC 7592 reads and replaces the
// keys; the precise refusals of a registration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK } from 'jose';
import * as client from 'openid-client';
import { assertion, type ClientKey, clientKey, JWT_BEARER, type JwksServer, jwksServer } from '../helpers/assertions.ts';
import { tokenRequest } from '../helpers/flow.ts';
import { authorizeWithOpenidClient } from '../helpers/openid-client.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };
let jwks: JwksServer;

before(async () => {
  t = await startTestServer({ registration: { enabled: true, perMinute: 1000 }, outboundFetch: { allowLoopback: true } });
  user = await t.addUser();
  jwks = await jwksServer([]);
});
after(async () => {
  await jwks?.close();
  await t?.close();
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const metadata = (keys: Record<string, unknown>) => ({
  client_name: 'Signed web app',
  redirect_uris: ['https://app.example/cb', REDIRECT_URI],
  application_type: 'native',
  token_endpoint_auth_method: 'private_key_jwt',
  grant_types: ['authorization_code', 'refresh_token'],
  ...keys,
});

/** A code flow of the client, every token request signed with `key` by openid-client. */
async function codeFlow(clientId: string, key: ClientKey) {
  const config = await client.discovery(new URL(t.url), clientId, undefined, client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), {
    execute: [client.allowInsecureRequests],
  });
  const { callback, verifier } = await authorizeWithOpenidClient(config, user);
  return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
}

/** Whether a token request signed with `key` authenticates (a bogus code then fails as invalid_grant, not invalid_client). */
async function authenticates(clientId: string, key: ClientKey): Promise<boolean> {
  const r = await tokenRequest(t.url, {
    grant_type: 'authorization_code',
    code: 'no-such-code',
    redirect_uri: REDIRECT_URI,
    code_verifier: 'v'.repeat(43),
    client_assertion_type: JWT_BEARER,
    client_assertion: await assertion(key, clientId, `${t.url}/token`),
  });
  if (r.status === 400 && r.body.error === 'invalid_grant') return true;
  assert.equal(r.body.error, 'invalid_client', JSON.stringify(r.body));
  return false;
}

describe('keys in dynamic registration', () => {
  test('a client registered with jwks signs in with private_key_jwt; RFC 7592 reads and replaces its keys', async () => {
    const first = await clientKey('ES256');
    const reg = await call('POST', '/register', metadata({ jwks: { keys: [first.publicJwk] } }));
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.equal(reg.body.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(reg.body.jwks, { keys: [first.publicJwk] });
    assert.equal(reg.body.client_secret, undefined);
    const clientId = String(reg.body.client_id);
    const token = String(reg.body.registration_access_token);

    const tokens = await codeFlow(clientId, first);
    assert.ok(tokens.access_token);
    assert.ok(tokens.id_token);

    const read = await call('GET', `/register/${clientId}`, undefined, token);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.jwks, { keys: [first.publicJwk] });

    // Replaced by a jwks_uri: the keys published there sign from now on, the old one no longer.
    const second = await clientKey('PS256');
    jwks.keys = [second.publicJwk];
    const uri = jwks.url;
    const put = await call('PUT', `/register/${clientId}`, { ...metadata({ jwks_uri: uri }), client_id: clientId }, token);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.jwks_uri, uri);
    assert.equal(put.body.jwks, undefined);
    assert.equal((await call('GET', `/register/${clientId}`, undefined, token)).body.jwks_uri, uri);
    assert.equal(await authenticates(clientId, second), true);
    assert.equal(await authenticates(clientId, first), false);
    assert.ok((await codeFlow(clientId, second)).access_token);
  });

  test('an update cannot turn a key client into a secret client, nor drop its keys', async () => {
    const key = await clientKey('ES256');
    const reg = await call('POST', '/register', metadata({ jwks: { keys: [key.publicJwk] } }));
    const clientId = String(reg.body.client_id);
    const token = String(reg.body.registration_access_token);
    const toSecret = await call(
      'PUT',
      `/register/${clientId}`,
      { ...metadata({}), token_endpoint_auth_method: 'client_secret_basic', client_id: clientId },
      token,
    );
    assert.equal(toSecret.status, 400);
    assert.equal(toSecret.body.error, 'invalid_client_metadata');
    const noKeys = await call('PUT', `/register/${clientId}`, { ...metadata({}), client_id: clientId }, token);
    assert.equal(noKeys.status, 400);
    assert.match(String(noKeys.body.error_description), /requires jwks or jwks_uri/);
    assert.equal(await authenticates(clientId, key), true);
  });

  test('registrations with unusable keys are refused with precise invalid_client_metadata errors', async () => {
    const key = await clientKey('ES256');
    const { privateKey } = await clientKey('ES256');
    const privateJwk = await exportJWK(privateKey);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ jwks: { keys: [key.publicJwk] }, jwks_uri: jwks.url }, /must not both be present/],
      [{}, /private_key_jwt requires jwks or jwks_uri/],
      [{ jwks: { keys: [privateJwk] } }, /private key material/],
      [{ jwks: { keys: [{ ...key.publicJwk, alg: 'HS256' }] } }, /alg/],
      [{ jwks_uri: 'http://keys.example/jwks.json' }, /jwks_uri must be an https URL/],
      [
        { token_endpoint_auth_method: 'client_secret_post', jwks: { keys: [key.publicJwk] } },
        /only with token_endpoint_auth_method private_key_jwt/,
      ],
    ];
    for (const [extra, reason] of cases) {
      const r = await call('POST', '/register', metadata(extra));
      assert.equal(r.status, 400, String(reason));
      assert.equal(r.body.error, 'invalid_client_metadata', String(reason));
      assert.match(String(r.body.error_description), reason);
    }
  });
});
