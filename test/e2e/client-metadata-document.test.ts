// E2E: a client known only by its Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document-03),
// served on 127.0.0.1: discovery, the consent page with the hosts, a code exchanged with PKCE and no secret;
// a document on loopback is fetched only by an issuer on loopback (the draft's SSRF section).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { strings } from '../../src/interaction/strings.ts';
import { adminClient } from '../helpers/admin.ts';
import { Browser, isConsentPage, isLoginPage } from '../helpers/browser.ts';
import { codeRequestUrl, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
/** Its issuer is an https name (a proxy would serve it); the test reaches it on 127.0.0.1. */
let named: TestServer;
let docs: Server;
let docBase: string;
let fetches = 0;

before(async () => {
  docs = createServer((req, res) => {
    fetches++;
    if (req.url !== '/client.json') return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' })
      .end(JSON.stringify({ client_id: `${docBase}/client.json`, client_name: 'Doc Tool', redirect_uris: [REDIRECT_URI] }));
  });
  await new Promise<void>((resolve) => docs.listen(0, '127.0.0.1', resolve));
  docBase = `http://127.0.0.1:${(docs.address() as AddressInfo).port}`;
  // No outboundFetch.allowLoopback: the issuer on loopback is what lets a loopback document through.
  t = await startTestServer({ clientIdMetadataDocuments: { enabled: true }, admin: { enabled: true } });
  named = await startTestServer({
    issuer: 'https://as.example.test',
    clientIdMetadataDocuments: { enabled: true },
    outboundFetch: { allowLoopback: true },
  });
});
after(async () => {
  await t.close();
  await named.close();
  await new Promise((resolve) => docs.close(resolve));
});

describe('client metadata documents', () => {
  test('discovery advertises the support', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    assert.equal(meta.client_id_metadata_document_supported, true);
  });

  test('code flow: consent shows the hosts, the code is exchanged with PKCE and no secret', async () => {
    const user = await t.addUser();
    const clientId = `${docBase}/client.json`;
    const { verifier, challenge } = pkce();
    const browser = new Browser();
    let page = await browser.open(
      codeRequestUrl(t.url, clientId, { scope: 'openid offline_access', state: 'st', code_challenge: challenge }),
    );
    assert.ok(isLoginPage(page), page.html.slice(0, 300));
    page = await browser.submit(page, { username: user.username, password: user.password });
    assert.ok(isConsentPage(page), page.html.slice(0, 300));
    assert.ok(page.html.includes('Doc Tool'));
    assert.ok(page.html.includes(strings.consentClientHost(new URL(docBase).host)), page.html);
    assert.ok(page.html.includes(strings.consentRedirectHost(new URL(REDIRECT_URI).host)), page.html);
    assert.ok(page.html.includes(strings.consentLoopbackOnly));
    assert.ok(!/<img/i.test(page.html));
    page = await browser.submit(page, { decision: 'allow' });
    assert.equal(page.status, 303);
    const landing = new URL(page.url);
    assert.equal(`${landing.origin}${landing.pathname}`, REDIRECT_URI);
    const code = landing.searchParams.get('code');
    assert.ok(code);

    const tokens = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(typeof tokens.body.access_token, 'string');
    assert.equal(typeof tokens.body.refresh_token, 'string');
    // The client is resolved from its document, never stored.
    assert.equal(await t.storage.clients.get(clientId), undefined);

    const refreshed = await tokenRequest(t.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token as string,
      client_id: clientId,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  test('a secret is refused for such a client', async () => {
    const res = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier },
      `Basic ${Buffer.from(`${encodeURIComponent(`${docBase}/client.json`)}:secret`).toString('base64')}`,
    );
    assert.equal(res.status, 401);
    assert.equal(res.body.error, 'invalid_client');
  });

  test('an unusable document is a page at /authorize and invalid_client at /token', async () => {
    const before = fetches;
    const res = await fetch(codeRequestUrl(t.url, `${docBase}/missing.json`), { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('location'), null);
    assert.ok((await res.text()).includes(strings.unusableClientDocument.slice(0, 40)));
    const token = await tokenRequest(t.url, {
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: REDIRECT_URI,
      client_id: `${docBase}/missing.json`,
      code_verifier: pkce().verifier,
    });
    assert.equal(token.status, 401);
    assert.equal(token.body.error, 'invalid_client');
    // Errors are not cached: each request fetched the document again.
    assert.equal(fetches - before, 2);
  });

  test('an issuer that is not on loopback never fetches a document on loopback, and says why', async () => {
    const before = fetches;
    const address = `http://127.0.0.1:${(named.server.http.address() as AddressInfo).port}`;
    for (const clientId of [`${docBase}/client.json`, `https://127.0.0.1:${new URL(docBase).port}/client.json`]) {
      const res = await fetch(codeRequestUrl(address, clientId), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.ok((await res.text()).includes(strings.unusableClientDocument.slice(0, 40)));
      const token = await tokenRequest(address, {
        grant_type: 'authorization_code',
        code: 'x',
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        code_verifier: pkce().verifier,
      });
      assert.equal(token.status, 401);
      assert.equal(token.body.error, 'invalid_client');
      const refusal = named.logs.filter((l) => l.event === 'client.metadata_document_refused' && l.client_id === clientId);
      assert.equal(refusal.length, 2, clientId);
      assert.match(String(refusal[0]?.reason), /on loopback, which is fetched only when the issuer is on loopback too/);
      // Logged by the request that asked, with its id.
      assert.deepEqual(
        refusal.map((l) => l.request_id),
        [res.headers.get('x-request-id'), token.headers.get('x-request-id')],
      );
    }
    assert.equal(fetches, before, 'nothing was fetched');
  });

  test('the admin API answers for stored clients only: a document URL is a 404, never fetched', async () => {
    const admin = await adminClient(t);
    const before = fetches;
    const clientId = `${docBase}/client.json`;
    const got = await admin.call('GET', '/clients/{client_id}', { params: { client_id: clientId } });
    assert.equal(got.status, 404, JSON.stringify(got.body));
    const disabled = await admin.call('POST', '/clients/{client_id}/disable', { params: { client_id: clientId } });
    assert.equal(disabled.status, 404, JSON.stringify(disabled.body));
    assert.equal(fetches, before, 'the admin API fetched nothing');
    // The protocol paths still resolve it.
    const res = await fetch(codeRequestUrl(t.url, clientId, { code_challenge: pkce().challenge }), { redirect: 'manual' });
    assert.equal(res.status, 303);
  });
});
