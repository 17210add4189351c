// E2E: authenticator apps (RFC 6238) and recovery codes, from enrolment on the account page to
// signing in to a client with password + code; replay refused, wrong codes counted by the
// brute-force protection, a recovery code working once. Codes are computed by otpauth here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { throttleKey } from '../../src/accounts/brute-force.ts';
import { Browser, isConsentPage, isLoginPage, type Page } from '../helpers/browser.ts';
import { basic, codeRequestUrl, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { claimsOf } from '../helpers/tokens.ts';

let t: TestServer;
let alice: { id: string; username: string; password: string };
let client: { clientId: string; secret: string };
let secret = '';
let recovery: string[] = [];

const now = () => t.server.deps.clock();
const codeAt = (at: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at * 1000 });
const isMfaPage = (p: Page) => p.html.includes('name="code"');
const text = (html: string, re: RegExp) => [...html.matchAll(re)].map((m) => m[1] ?? '');

before(async () => {
  // refreshIdToken: a refreshed device token is checked for the same amr (OIDC Core §12.2).
  t = await startTestServer({ bruteForce: { account: { free: 3, lockAfter: 5, lockSeconds: 60 } }, refreshIdToken: true });
  // Every second counted by hand: the TOTP step is computed from the server's clock.
  t.freeze();
  alice = await t.addUser('alice', 'alice password 1');
  const c = await t.addClient({ name: 'TOTP App' });
  client = { clientId: c.client.clientId, secret: c.secret as string };
});
after(() => t.close());

/** Signs in with the password through a client's request; returns the page after the password. */
async function passwordStep(browser: Browser, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const login = await browser.open(codeRequestUrl(t.url, client.clientId, { state: 'st', code_challenge: challenge, ...extra }));
  assert.ok(isLoginPage(login));
  return { page: await browser.submit(login, { username: alice.username, password: alice.password }), verifier };
}

/** Consents if asked, then exchanges the code; returns the ID token's claims. */
async function finish(browser: Browser, page: Page, verifier: string) {
  const last = isConsentPage(page) ? await browser.submit(page, { decision: 'allow' }) : page;
  const code = new URL(last.url).searchParams.get('code');
  assert.ok(code, `no code: ${last.url} ${last.html.slice(0, 200)}`);
  const res = await tokenRequest(
    t.url,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
    basic(client.clientId, client.secret),
  );
  assert.equal(res.status, 200);
  return claimsOf(String(res.body.id_token));
}

describe('authenticator app', () => {
  test('enrolment on the account page: QR code and key, confirmed by a first code; recovery codes shown once', async () => {
    const browser = new Browser();
    const login = await browser.open(`${t.url}/account`);
    assert.ok(isLoginPage(login), 'the account page signs in first');
    let page = await browser.submit(login, { username: alice.username, password: alice.password });
    assert.equal(new URL(page.url).pathname, '/account');
    assert.match(page.html, /No authenticator app is set up/);

    page = await browser.submit(page, {}, 'value="totp-begin"');
    assert.match(page.html, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    secret = (text(page.html, /<code class="secret">([^<]+)<\/code>/g)[0] ?? '').replace(/ /g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);

    // The key is sealed at rest: the stored value is not the key.
    const stored = await t.storage.factors.getTotp(alice.id);
    assert.ok(stored?.secret.startsWith('lk1.'));
    assert.ok(!stored?.secret.includes(secret));
    assert.equal(stored?.confirmedAt, null);

    const wrong = await browser.submit(page, { code: codeAt(now() + 300) });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /not correct/);
    page = await browser.submit(wrong, { code: codeAt(now()) });
    recovery = text(page.html, /<li><code>([a-z0-9-]+)<\/code><\/li>/g);
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10);
    page = await browser.submit(page, { continue: '1' });
    assert.equal(new URL(page.url).pathname, '/account');
    assert.match(page.html, /An authenticator app is set up/);
    assert.match(page.html, /10 unused recovery codes left/);
  });

  test('sign-in to a client asks for the code after the password; the same code is refused twice', async () => {
    // The code of the enrolment's time step was used: the same one is refused (RFC 6238 §5.2).
    const first = await passwordStep(new Browser());
    assert.ok(isMfaPage(first.page), 'the second factor is asked');
    assert.match(first.page.url, /\/mfa\//);
    const elsewhere = await new Browser().submit(first.page, { code: codeAt(now()) });
    assert.equal(elsewhere.status, 403, 'another browser cannot post to this step');

    const browser = new Browser();
    const { page, verifier } = await passwordStep(browser);
    const refused = await browser.submit(page, { code: codeAt(now()) });
    assert.equal(refused.status, 400);
    assert.match(refused.html, /already used/);

    t.advance(30);
    const next = await browser.submit(refused, { code: codeAt(now()) });
    const claims = await finish(browser, next, verifier);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, undefined, 'acr only when asked for');

    // Two browsers racing with one code: exactly one wins.
    t.advance(30);
    const [a, b] = [new Browser(), new Browser()];
    const pa = (await passwordStep(a)).page;
    const pb = (await passwordStep(b)).page;
    const code = codeAt(now());
    const results = await Promise.all([a.submit(pa, { code }), b.submit(pb, { code })]);
    assert.deepEqual(results.map((r) => isMfaPage(r)).sort(), [false, true]);
  });

  test('wrong codes are counted by the brute-force protection, per account', async () => {
    t.advance(30);
    const key = throttleKey('mfa-account', alice.id);
    // Counted from zero here (the racing browser above left one failure).
    await t.storage.throttle.clear(key);
    const browser = new Browser();
    let { page } = await passwordStep(browser);
    const good = codeAt(now());
    const bad = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 3; i++) {
      page = await browser.submit(page, { code: bad });
      assert.equal(page.status, 400);
    }
    const [counter] = await t.storage.throttle.get([key], now());
    assert.equal(counter?.failures, 3);
    page = await browser.submit(page, { code: bad });
    assert.equal(page.status, 400);
    // The 5th attempt must wait: refused before the code is checked, even the right one.
    const refused = await browser.submit(page, { code: good });
    assert.equal(refused.status, 429);
    assert.match(refused.html, /Too many wrong codes/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.ok(t.logs.some((l) => l.event === 'mfa.throttled'));
    t.advance(120);
  });

  test('a recovery code works once', async () => {
    const code = recovery[0] as string;
    const browser = new Browser();
    const { page, verifier } = await passwordStep(browser);
    const answered = await browser.submit(page, { code: code.toUpperCase() });
    assert.ok(!isMfaPage(answered), text(answered.html, /role="alert"[^>]*>([^<]+)/g).join());
    const claims = await finish(browser, answered, verifier);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);

    const b2 = new Browser();
    const second = await passwordStep(b2);
    const used = await b2.submit(second.page, { code });
    assert.equal(used.status, 400);
    assert.ok(isMfaPage(used));
    assert.equal((await t.storage.factors.summary(alice.id)).recoveryCodes, 9);
  });
});

describe('device authorization with a second factor', () => {
  test("the device's ID tokens, first and refreshed, say how the person signed in on the device page", async () => {
    t.advance(120);
    const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
    const tv = await t.addClient({ public: true, name: 'TV', redirectUris: [], grantTypes: [DEVICE_GRANT, 'refresh_token'] });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const started = (await (
      await fetch(`${t.url}/device_authorization`, {
        method: 'POST',
        headers: form,
        body: new URLSearchParams({ client_id: tv.client.clientId, scope: 'openid offline_access' }),
      })
    ).json()) as { device_code: string; user_code: string };

    const browser = new Browser();
    let page = await browser.submit(await browser.open(`${t.url}/device`), { user_code: started.user_code });
    assert.ok(isLoginPage(page));
    page = await browser.submit(page, { username: alice.username, password: alice.password });
    assert.ok(isMfaPage(page), 'the second factor is asked on the device page too');
    page = await browser.submit(page, { code: codeAt(now()) });
    assert.ok(isConsentPage(page));
    page = await browser.submit(page, { decision: 'allow' });
    assert.match(page.html, /Device connected/);

    const tokens = await tokenRequest(t.url, { grant_type: DEVICE_GRANT, device_code: started.device_code, client_id: tv.client.clientId });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.deepEqual(claimsOf(String(tokens.body.id_token)).amr, ['pwd', 'otp', 'mfa']);
    // OIDC Core §12.2: a refresh describes the same authentication.
    const refreshed = await tokenRequest(t.url, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body.refresh_token),
      client_id: tv.client.clientId,
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.deepEqual(claimsOf(String(refreshed.body.id_token)).amr, ['pwd', 'otp', 'mfa']);
  });
});

describe('step-up', () => {
  test('a password session meets acr_values for MFA and is asked for the second factor; the ID token says acr', async () => {
    const bob = await t.addUser('bob', 'bob password 12');
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    // Bob has no factor yet: a password is enough.
    let page = await browser.authorize(codeRequestUrl(t.url, client.clientId, { code_challenge: challenge }), bob);
    const code = new URL(page.url).searchParams.get('code') as string;
    const res = await tokenRequest(
      t.url,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      basic(client.clientId, client.secret),
    );
    assert.deepEqual(claimsOf(String(res.body.id_token)).amr, ['pwd']);

    // A request asking for MFA: Bob, signed in with a password and without a factor, sets one up here.
    const step = pkce();
    page = await browser.open(
      codeRequestUrl(t.url, client.clientId, { acr_values: 'urn:latchkey:acr:mfa', code_challenge: step.challenge }),
    );
    assert.match(page.url, /\/mfa\//);
    assert.match(page.html, /Set up two-step verification/);
    secret = (text(page.html, /<code class="secret">([^<]+)<\/code>/g)[0] ?? '').replace(/ /g, '');
    t.advance(30);
    page = await browser.submit(page, { code: codeAt(now()) });
    assert.equal(text(page.html, /<li><code>([a-z0-9-]+)<\/code><\/li>/g).length, 10);
    page = await browser.submit(page, { continue: '1' });
    const claims = await finish(browser, page, step.verifier);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims.acr, 'urn:latchkey:acr:mfa');

    // Bob has no passkey: a request for a phishing-resistant sign-in gets the OIDC error.
    const none = await browser.open(codeRequestUrl(t.url, client.clientId, { acr_values: 'phr', prompt: 'none' }));
    assert.equal(new URL(none.url).searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('discovery advertises the acr values; a client can require MFA', async () => {
    const meta = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(meta.acr_values_supported, ['urn:latchkey:acr:pwd', 'urn:latchkey:acr:mfa', 'phr']);
    assert.ok((meta.claims_supported as string[]).includes('amr'));
    const dave = await t.addUser('dave', 'dave password 12');
    const strict = await t.addClient({ name: 'Strict' });
    await t.storage.clients.update({ ...strict.client, requireMfa: true });
    const page = await new Browser().authorize(codeRequestUrl(t.url, strict.client.clientId), dave);
    assert.match(page.url, /\/mfa\//);
    assert.match(page.html, /Set up two-step verification/);
  });
});
