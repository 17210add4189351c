// E2E: authorization codes bound to a DPoP key (RFC 9449 §10): the dpop_jkt parameter at /authorize
// and at the PAR endpoint, a DPoP proof at the PAR endpoint (§10.1), and each refusal: another key,
// no proof, a malformed dpop_jkt, a proof that disagrees with dpop_jkt.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { type ClientKey, clientKey, dpopProof } from '../helpers/assertions.ts';
import { Browser } from '../helpers/browser.ts';
import { getCode, tokenRequest } from '../helpers/flow.ts';
import { authorizeWithOpenidClient } from '../helpers/openid-client.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let user: { username: string; password: string };

before(async () => {
  t = await startTestServer();
  user = await t.addUser();
});
after(() => t?.close());

const thumbprint = async (key: ClientKey) => calculateJwkThumbprint(key.publicJwk);

/** A code exchange of a public client by hand, with a proof of `key` when given. */
async function exchange(clientId: string, code: string, verifier: string, key?: ClientKey) {
  const form = { grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: REDIRECT_URI };
  if (!key) return tokenRequest(t.url, form);
  const res = await fetch(`${t.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      dpop: await dpopProof(key, { htm: 'POST', htu: `${t.url}/token` }),
    },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('dpop_jkt at the authorization endpoint', () => {
  test('openid-client redeems a code bound by dpop_jkt with a proof of that key', async () => {
    const { client: c } = await t.addClient({ public: true });
    const options = { execute: [client.allowInsecureRequests] };
    const config = await client.discovery(new URL(t.url), c.clientId, undefined, client.None(), options);
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const { callback, verifier } = await authorizeWithOpenidClient(config, user, { dpop_jkt: jkt });
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, undefined, {
      DPoP: client.getDPoPHandle(config, keyPair),
    });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
  });

  test('a proof of another key is refused with invalid_grant', async () => {
    const { client: c } = await t.addClient({ public: true });
    const bound = await clientKey('ES256');
    const { code, verifier } = await getCode(t.url, c.clientId, user, { dpop_jkt: await thumbprint(bound) });
    const r = await exchange(c.clientId, code, verifier, await clientKey('ES256'));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('a bound code exchanged without a proof is refused with invalid_grant', async () => {
    const { client: c } = await t.addClient({ public: true });
    const bound = await clientKey('ES256');
    const { code, verifier } = await getCode(t.url, c.clientId, user, { dpop_jkt: await thumbprint(bound) });
    const r = await exchange(c.clientId, code, verifier);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('a code without dpop_jkt may still be exchanged with a proof of any key', async () => {
    const { client: c } = await t.addClient({ public: true });
    const { code, verifier } = await getCode(t.url, c.clientId, user);
    const r = await exchange(c.clientId, code, verifier, await clientKey('ES256'));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.token_type, 'DPoP');
  });

  test('a malformed dpop_jkt goes back to the client as invalid_request', async () => {
    const { client: c } = await t.addClient({ public: true });
    for (const value of ['too-short', `${'a'.repeat(43)}=`, `${'a'.repeat(42)}+`]) {
      const res = await fetch(
        `${t.url}/authorize?${new URLSearchParams({
          response_type: 'code',
          client_id: c.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          state: 's1',
          dpop_jkt: value,
        })}`,
        { redirect: 'manual' },
      );
      assert.equal(res.status, 303, value);
      const location = new URL(res.headers.get('location') ?? '');
      assert.equal(location.searchParams.get('error'), 'invalid_request', value);
      assert.match(location.searchParams.get('error_description') ?? '', /dpop_jkt/);
    }
  });
});

describe('dpop_jkt with pushed authorization requests', () => {
  const as = async () => {
    const issuer = new URL(t.url);
    const response = await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true });
    return oauth.processDiscoveryResponse(issuer, response);
  };

  /** Pushes a code request with oauth4webapi (a DPoP proof when `dpop` is given), signs in, and returns the callback. */
  async function pushAndSignIn(extra: Record<string, string>, dpop?: (c: oauth.Client) => oauth.DPoPHandle) {
    const { client: c } = await t.addClient({ public: true });
    const server = await as();
    const cl: oauth.Client = { client_id: c.clientId };
    const verifier = oauth.generateRandomCodeVerifier();
    const handle = dpop?.(cl);
    const pushed = await oauth.pushedAuthorizationRequest(
      server,
      cl,
      oauth.None(),
      {
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...extra,
      },
      { [oauth.allowInsecureRequests]: true, ...(handle ? { DPoP: handle } : {}) },
    );
    const { request_uri } = await oauth.processPushedAuthorizationResponse(server, cl, pushed);
    const landing = await new Browser().authorize(
      `${t.url}/authorize?${new URLSearchParams({ client_id: c.clientId, request_uri })}`,
      user,
    );
    const callback = oauth.validateAuthResponse(server, cl, new URL(landing.url), oauth.skipStateCheck);
    return { server, cl, verifier, callback, code: callback.get('code') ?? '' };
  }

  test('a DPoP proof at the PAR endpoint binds the code to its key (oauth4webapi)', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    const { server, cl, verifier, callback } = await pushAndSignIn({}, (c) => oauth.DPoP(c, keyPair));
    const response = await oauth.authorizationCodeGrantRequest(server, cl, oauth.None(), callback, REDIRECT_URI, verifier, {
      DPoP: oauth.DPoP(cl, keyPair),
      [oauth.allowInsecureRequests]: true,
    });
    const tokens = await oauth.processAuthorizationCodeResponse(server, cl, response);
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
  });

  test('a code bound by a proof at the PAR endpoint is refused without a proof', async () => {
    const keyPair = await oauth.generateKeyPair('ES256');
    const { cl, verifier, code } = await pushAndSignIn({}, (c) => oauth.DPoP(c, keyPair));
    const r = await exchange(cl.client_id, code, verifier);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('a pushed dpop_jkt binds the code: another key is refused', async () => {
    const bound = await clientKey('ES256');
    const { cl, verifier, code } = await pushAndSignIn({ dpop_jkt: await thumbprint(bound) });
    const r = await exchange(cl.client_id, code, verifier, await clientKey('ES256'));
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  test('a pushed dpop_jkt that disagrees with the proof, or is malformed, is refused with invalid_request', async () => {
    const { client: c } = await t.addClient({ public: true });
    const push = async (form: Record<string, string>, proof?: string) => {
      const res = await fetch(`${t.url}/par`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(proof ? { dpop: proof } : {}) },
        body: new URLSearchParams({
          client_id: c.clientId,
          response_type: 'code',
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          ...form,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const proofKey = await clientKey('ES256');
    const proof = () => dpopProof(proofKey, { htm: 'POST', htu: `${t.url}/par` });
    const other = await push({ dpop_jkt: await thumbprint(await clientKey('ES256')) }, await proof());
    assert.equal(other.status, 400);
    assert.equal(other.body.error, 'invalid_request');
    const malformed = await push({ dpop_jkt: 'not a thumbprint' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'invalid_request');
    // The same key on both sides is accepted.
    const same = await push({ dpop_jkt: await thumbprint(proofKey) }, await proof());
    assert.equal(same.status, 201, JSON.stringify(same.body));
    // A proof for another URI is refused as at the token endpoint.
    const wrongHtu = await push({}, await dpopProof(proofKey, { htm: 'POST', htu: `${t.url}/token` }));
    assert.equal(wrongHtu.status, 400);
    assert.equal(wrongHtu.body.error, 'invalid_dpop_proof');
  });
});
