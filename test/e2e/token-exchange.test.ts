// E2E: token exchange (RFC 8693) with openid-client: an API exchanges a user's access token for one
// for a downstream API; and each refusal: an unregistered resource, a widened scope, a revoked
// subject token, unknown token types, a subject token that is not the client's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { basic, getCode, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const API = 'https://api.example/';
const DOWNSTREAM = 'https://downstream.example/';

let t: TestServer;
let user: { username: string; password: string };
let app: { id: string; auth: string };
let api: { id: string; secret: string; auth: string };

/** A user's access token for API (and the refresh token of its grant), from a code flow of the app. */
async function userToken(scope = 'openid offline_access api:read api:write'): Promise<{ access: string; refresh: string }> {
  const { code, verifier } = await getCode(t.url, app.id, user, { scope, resource: API });
  const r = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI },
    app.auth,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { access: String(r.body.access_token), refresh: String(r.body.refresh_token) };
}

const exchange = (form: Record<string, string>, auth = api.auth) =>
  tokenRequest(t.url, { grant_type: EXCHANGE, subject_token_type: ACCESS_TOKEN, ...form }, auth);

before(async () => {
  t = await startTestServer({ scopes: ['api:read', 'api:write'] });
  user = await t.addUser();
  const a = await t.addClient({ scope: 'openid offline_access api:read api:write', resources: [API] });
  app = { id: a.client.clientId, auth: basic(a.client.clientId, a.secret ?? '') };
  const b = await t.addClient({ redirectUris: [], grantTypes: [EXCHANGE], scope: '', resources: [API, DOWNSTREAM] });
  api = { id: b.client.clientId, secret: b.secret ?? '', auth: basic(b.client.clientId, b.secret ?? '') };
});
after(() => t?.close());

describe('token exchange', () => {
  test('openid-client: the API exchanges the user token for a downstream token with a narrower scope', async () => {
    const { access } = await userToken();
    const config = await client.discovery(new URL(t.url), api.id, undefined, client.ClientSecretBasic(api.secret), {
      execute: [client.allowInsecureRequests],
    });
    const out = await client.genericGrantRequest(config, EXCHANGE, {
      subject_token: access,
      subject_token_type: ACCESS_TOKEN,
      resource: DOWNSTREAM,
      scope: 'api:read',
    });
    assert.equal(out.issued_token_type, ACCESS_TOKEN);
    assert.equal(out.refresh_token, undefined);
    const claims = decodeJwt(out.access_token);
    assert.equal(claims.aud, DOWNSTREAM);
    assert.equal(claims.sub, decodeJwt(access).sub);
    assert.equal(claims.client_id, api.id);
    assert.equal(claims.scope, 'api:read');
    assert.equal(claims.act, undefined);
    const meta = config.serverMetadata();
    assert.ok(meta.grant_types_supported?.includes(EXCHANGE));
  });

  test('with an actor token the issued token names the actor (act)', async () => {
    const { access } = await userToken();
    // The actor: a token the API holds (here one it exchanged before).
    const first = await exchange({ subject_token: access, audience: DOWNSTREAM });
    const actorToken = String(first.body.access_token);
    const r = await exchange({ subject_token: access, resource: DOWNSTREAM, actor_token: actorToken, actor_token_type: ACCESS_TOKEN });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(decodeJwt(String(r.body.access_token)).act, { sub: decodeJwt(actorToken).sub, client_id: api.id });
  });

  test('refused: a resource the client is not registered for (invalid_target)', async () => {
    const { access } = await userToken();
    const r = await exchange({ subject_token: access, resource: 'https://elsewhere.example/' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_target');
  });

  test('refused: a scope wider than the subject token (invalid_scope)', async () => {
    const { access } = await userToken('openid offline_access api:read');
    const r = await exchange({ subject_token: access, resource: DOWNSTREAM, scope: 'api:read api:write' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_scope');
  });

  test('refused: a revoked subject token, and the exchanged token dies with the subject grant', async () => {
    const { access, refresh } = await userToken();
    const exchanged = await exchange({ subject_token: access, resource: DOWNSTREAM });
    assert.equal(exchanged.status, 200);
    // Revoking the refresh token revokes the grant (RFC 7009 §2.1): the subject's access token with it.
    const revoke = await fetch(`${t.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: app.auth },
      body: new URLSearchParams({ token: refresh }),
    });
    assert.equal(revoke.status, 200);
    const r = await exchange({ subject_token: access, resource: DOWNSTREAM });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    const introspected = await fetch(`${t.url}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: api.auth },
      body: new URLSearchParams({ token: String(exchanged.body.access_token) }),
    });
    assert.equal(((await introspected.json()) as Record<string, unknown>).active, false);
  });

  test('refused: unknown token types (invalid_request)', async () => {
    const { access } = await userToken();
    for (const form of [
      { subject_token: access, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', resource: DOWNSTREAM },
      { subject_token: access, resource: DOWNSTREAM, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
      { subject_token: access, resource: DOWNSTREAM, actor_token: access, actor_token_type: 'urn:x' },
    ]) {
      const r = await exchange(form);
      assert.equal(r.status, 400, JSON.stringify(form));
      assert.equal(r.body.error, 'invalid_request');
    }
  });

  test('refused: a subject token neither issued to the client nor for one of its resources', async () => {
    const { access } = await userToken();
    const other = await t.addClient({ redirectUris: [], grantTypes: [EXCHANGE], scope: '', resources: [DOWNSTREAM] });
    const r = await exchange({ subject_token: access, resource: DOWNSTREAM }, basic(other.client.clientId, other.secret ?? ''));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    const noTarget = await exchange({ subject_token: access });
    assert.equal(noTarget.body.error, 'invalid_request');
    const garbage = await exchange({ subject_token: 'not-a-token', resource: DOWNSTREAM });
    assert.equal(garbage.body.error, 'invalid_grant');
  });

  test('a client without the grant is refused (unauthorized_client)', async () => {
    const { access } = await userToken();
    const r = await tokenRequest(
      t.url,
      { grant_type: EXCHANGE, subject_token: access, subject_token_type: ACCESS_TOKEN, resource: API },
      app.auth,
    );
    assert.equal(r.body.error, 'unauthorized_client');
  });
});

test('the issuer itself is not a target a client may exchange into', async () => {
  const { access } = await userToken();
  const r = await exchange({ subject_token: access, resource: t.url });
  assert.equal(r.body.error, 'invalid_target');
});
