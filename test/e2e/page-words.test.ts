// E2E: the words people read, set without code — scope descriptions and the product name from the
// configuration — and the hints a client may send: login_hint (OIDC Core §3.1.2.1) and ui_locales.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, isConsentPage, isLoginPage } from '../helpers/browser.ts';
import { authorizeUrl, pkce } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let clientId: string;

before(async () => {
  t = await startTestServer({
    scopes: [{ name: 'api:read', description: 'Read your reports' }, 'api:write'],
    theme: { productName: 'Acme ID' },
  });
  await t.addUser('dora', 'dora password 1');
  clientId = (await t.addClient({ scope: 'openid api:read api:write' })).client.clientId;
});
after(() => t.close());

const url = (extra: Record<string, string> = {}) =>
  authorizeUrl(t.url, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'openid api:read api:write',
    state: 's1',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

test('login_hint fills in the username; ui_locales picks the page language; the product name is the configured one', async () => {
  const browser = new Browser();
  const login = await browser.open(url({ login_hint: 'dora', ui_locales: 'xx-YY en-GB' }));
  assert.ok(isLoginPage(login));
  assert.match(login.html, /<input id="username"[^>]* value="dora"/);
  assert.match(login.html, /<html lang="en">/);
  assert.match(login.html, /<p class="brand">Acme ID<\/p>/);
  assert.match(login.html, /<title>Sign in · Acme ID<\/title>/);
  assert.doesNotMatch(login.html.replace(/<style>[^<]*<\/style>/, ''), /Latchkey/);

  const consent = await browser.submit(login, { username: 'dora', password: 'dora password 1' });
  assert.ok(isConsentPage(consent));
  assert.match(consent.html, /<span>Read your reports<\/span> <code>api:read<\/code>/);
  assert.match(consent.html, /<span>Use the permission &#34;api:write&#34;<\/span> <code>api:write<\/code>/);
  assert.match(consent.html, /<span>Confirm your identity<\/span>/);
});

test('without login_hint the username is empty; an overlong hint or a malformed ui_locales is refused to the client', async () => {
  const plain = await new Browser().open(url());
  assert.match(plain.html, /<input id="username"[^>]* value=""/);
  const long = await new Browser().open(url({ login_hint: 'x'.repeat(257) }));
  assert.equal(new URL(long.url).searchParams.get('error'), 'invalid_request');
  const bad = await new Browser().open(url({ ui_locales: 'en <b>' }));
  assert.equal(new URL(bad.url).searchParams.get('error'), 'invalid_request');
});

test('discovery names the page languages and keeps the admin scopes to itself', async () => {
  const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
  assert.deepEqual(meta.ui_locales_supported, ['en']);
  assert.ok(meta.scopes_supported?.includes('api:read'));
  const admin = await startTestServer({ admin: { enabled: true } });
  try {
    const m = (await (await fetch(`${admin.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    assert.ok(!m.scopes_supported?.some((s) => s.startsWith('latchkey:')));
  } finally {
    await admin.close();
  }
});
