// E2E: token exchange (RFC 8693) of JWTs from other, trusted issuers (`tokenExchange.trustedIssuers`):
// a test issuer whose JWK Set is served on 127.0.0.1; the happy paths (jwt, access_token and id_token
// types, openid-client) and each refusal: an untrusted issuer, a bad signature, an expired or not yet
// valid token, a wrong audience, a refused algorithm, a client the issuer does not allow, a widened
// scope, an unregistered resource, an unknown token type.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import * as client from 'openid-client';
import { type ClientKey, clientKey, type JwksServer, jwksServer } from '../helpers/assertions.ts';
import { basic, tokenRequest } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const IDP = 'https://idp.test';
const PARTNER = 'https://partner.test';
const DOWNSTREAM = 'https://downstream.example/';
const OTHER = 'https://other.example/';

let t: TestServer;
let idpKey: ClientKey;
let partnerKey: ClientKey;
let jwks: JwksServer;
let api: { id: string; secret: string; auth: string };
let stranger: { auth: string };

/** A JWT of an issuer; `claims` and `header` override the defaults (iss IDP, sub alice, aud this server). */
async function issued(key: ClientKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: IDP, sub: 'alice', aud: t.url, iat: now, exp: now + 300, jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg: String(key.publicJwk.alg), kid: key.kid, ...header })
    .sign(key.privateKey);
}

const exchange = (form: Record<string, string>, auth = api.auth) =>
  tokenRequest(t.url, { grant_type: EXCHANGE, subject_token_type: JWT, resource: DOWNSTREAM, ...form }, auth);

before(async () => {
  idpKey = await clientKey('ES256');
  partnerKey = await clientKey('RS256');
  jwks = await jwksServer([idpKey.publicJwk]);
  t = await startTestServer({
    scopes: ['api:read', 'api:write'],
    outboundFetch: { allowLoopback: true },
    tokenExchange: {
      trustedIssuers: [
        { issuer: IDP, jwksUri: jwks.url, audience: ['urn:example:latchkey'], scopes: ['api:read'], algorithms: ['ES256'] },
        {
          issuer: PARTNER,
          jwks: { keys: [partnerKey.publicJwk] },
          subjectClaim: 'email',
          subjectPrefix: 'partner:',
          scopes: ['api:read', 'api:write'],
          clients: ['exchanging-api'],
        },
      ],
    },
  });
  const b = await t.addClient({
    clientId: 'exchanging-api',
    redirectUris: [],
    grantTypes: [EXCHANGE],
    scope: '',
    resources: [DOWNSTREAM],
  });
  api = { id: b.client.clientId, secret: b.secret ?? '', auth: basic(b.client.clientId, b.secret ?? '') };
  const s = await t.addClient({ redirectUris: [], grantTypes: [EXCHANGE], scope: '', resources: [DOWNSTREAM] });
  stranger = { auth: basic(s.client.clientId, s.secret ?? '') };
});
after(async () => {
  await t?.close();
  await jwks?.close();
});

describe('token exchange of trusted issuers’ tokens', () => {
  test('openid-client exchanges a JWT of a trusted issuer: the sub is prefixed, the scope that of the issuer', async () => {
    const config = await client.discovery(new URL(t.url), api.id, undefined, client.ClientSecretBasic(api.secret), {
      execute: [client.allowInsecureRequests],
    });
    assert.ok(config.serverMetadata().grant_types_supported?.includes(EXCHANGE));
    const out = await client.genericGrantRequest(config, EXCHANGE, {
      subject_token: await issued(idpKey, { scope: 'api:read api:write profile' }),
      subject_token_type: JWT,
      resource: DOWNSTREAM,
    });
    assert.equal(out.issued_token_type, ACCESS_TOKEN);
    assert.equal(out.refresh_token, undefined);
    const claims = decodeJwt(out.access_token);
    assert.equal(claims.iss, t.url);
    assert.equal(claims.sub, `${IDP}#alice`);
    assert.equal(claims.aud, DOWNSTREAM);
    assert.equal(claims.client_id, api.id);
    assert.equal(claims.scope, 'api:read');
    assert.ok(jwks.fetches >= 1);
  });

  test('an access token or an ID token of a trusted issuer, for a configured audience, is exchanged too', async () => {
    const access = await exchange({
      subject_token: await issued(idpKey, { aud: 'urn:example:latchkey' }),
      subject_token_type: ACCESS_TOKEN,
    });
    assert.equal(access.status, 200, JSON.stringify(access.body));
    const id = await exchange({
      subject_token: await issued(partnerKey, { iss: PARTNER, email: 'bo@partner.test', sub: 'ignored' }),
      subject_token_type: ID_TOKEN,
      scope: 'api:write',
    });
    assert.equal(id.status, 200, JSON.stringify(id.body));
    const claims = decodeJwt(String(id.body.access_token));
    assert.equal(claims.sub, 'partner:bo@partner.test');
    assert.equal(claims.scope, 'api:write');
  });

  test('refused with invalid_grant: untrusted issuer, bad signature, expired, not yet valid, wrong audience, refused alg', async () => {
    const now = Math.floor(Date.now() / 1000);
    const impostor = await clientKey('ES256', idpKey.kid);
    const hmac = await new SignJWT({ iss: IDP, sub: 'alice', aud: t.url, exp: now + 300 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a shared secret that is long enough for HS256'));
    const cases: [string, string][] = [
      ['untrusted issuer', await issued(idpKey, { iss: 'https://evil.test' })],
      ['bad signature', await issued(impostor)],
      ['expired', await issued(idpKey, { iat: now - 3600, exp: now - 600 })],
      ['not yet valid', await issued(idpKey, { nbf: now + 600 })],
      ['wrong audience', await issued(idpKey, { aud: 'https://someone-else.example' })],
      ['alg not allowed for the issuer', await issued(partnerKey, { iss: IDP })],
      ['HMAC', hmac],
      ['not a JWT', 'not-a-jwt'],
      ['no exp', await issued(idpKey, { exp: undefined })],
    ];
    for (const [why, token] of cases) {
      const r = await exchange({ subject_token: token });
      assert.equal(r.status, 400, why);
      assert.equal(r.body.error, 'invalid_grant', why);
    }
  });

  test('refused: a client the issuer does not allow, a widened scope, an unregistered resource, an unknown type', async () => {
    const partnerToken = await issued(partnerKey, { iss: PARTNER, email: 'bo@partner.test' });
    const notAllowed = await exchange({ subject_token: partnerToken }, stranger.auth);
    assert.equal(notAllowed.status, 400);
    assert.equal(notAllowed.body.error, 'invalid_grant');
    const wider = await exchange({ subject_token: await issued(idpKey), scope: 'api:write' });
    assert.equal(wider.status, 400);
    assert.equal(wider.body.error, 'invalid_scope');
    // The token itself may narrow what the issuer's configuration allows.
    const narrowed = await exchange({ subject_token: await issued(idpKey, { scope: 'profile' }), scope: 'api:read' });
    assert.equal(narrowed.body.error, 'invalid_scope');
    const target = await exchange({ subject_token: await issued(idpKey), resource: OTHER });
    assert.equal(target.status, 400);
    assert.equal(target.body.error, 'invalid_target');
    const type = await exchange({ subject_token: await issued(idpKey), subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' });
    assert.equal(type.status, 400);
    assert.equal(type.body.error, 'invalid_request');
  });
});
