// E2E: a confidential client known by its Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document-03):
// the document names private_key_jwt and a jwks_uri, both served on 127.0.0.1; openid-client signs in
// and redeems the code with a signed assertion; without one, or with another key, it is refused.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { assertion, type ClientKey, clientKey, JWT_BEARER, type JwksServer, jwksServer } from '../helpers/assertions.ts';
import { pkce, tokenRequest } from '../helpers/flow.ts';
import { authorizeWithOpenidClient } from '../helpers/openid-client.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let docs: Server;
let clientId: string;
let key: ClientKey;
let jwks: JwksServer;

before(async () => {
  key = await clientKey('ES256');
  jwks = await jwksServer([key.publicJwk]);
  docs = createServer((req, res) => {
    if (req.url !== '/signed.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        client_id: clientId,
        client_name: 'Signed Tool',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: jwks.url,
      }),
    );
  });
  await new Promise<void>((resolve) => docs.listen(0, '127.0.0.1', resolve));
  clientId = `http://127.0.0.1:${(docs.address() as AddressInfo).port}/signed.json`;
  t = await startTestServer({ clientIdMetadataDocuments: { enabled: true }, outboundFetch: { allowLoopback: true } });
});
after(async () => {
  await t?.close();
  await jwks?.close();
  await new Promise((resolve) => docs.close(resolve));
});

describe('client metadata documents with private_key_jwt', () => {
  test('openid-client redeems the code with an assertion signed by a key of the jwks_uri', async () => {
    const user = await t.addUser();
    const config = await client.discovery(
      new URL(t.url),
      clientId,
      undefined,
      client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const { callback, verifier } = await authorizeWithOpenidClient(config, user);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    assert.ok(tokens.access_token);
    assert.ok(jwks.fetches >= 1);
    assert.equal(await t.storage.clients.get(clientId), undefined);
  });

  test('the client cannot authenticate as a public client, nor with another key', async () => {
    const form = { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier };
    const bare = await tokenRequest(t.url, { ...form, client_id: clientId });
    assert.equal(bare.status, 401);
    assert.equal(bare.body.error, 'invalid_client');
    const other = await clientKey('ES256', key.kid);
    const signed = await tokenRequest(t.url, {
      ...form,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(other, clientId, `${t.url}/token`),
    });
    assert.equal(signed.status, 401);
    assert.equal(signed.body.error, 'invalid_client');
    // The right key gets past authentication (the code itself is then invalid).
    const right = await tokenRequest(t.url, {
      ...form,
      client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(key, clientId, `${t.url}/token`),
    });
    assert.equal(right.body.error, 'invalid_grant', JSON.stringify(right.body));
  });
});
