// Browser E2E in real Chromium with its virtual authenticator (DevTools WebAuthn domain, resident
// keys and user verification): a passkey registered on the account page, then used alone to sign
// in through a client's authorization request; the ID token says how (RFC 8176 amr). WebAuthn
// refuses IP addresses as RP ID, so the issuer is http://localhost:PORT (the server listens on
// 127.0.0.1). Screenshots of every new page at 360 px and desktop widths go to test-artifacts/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../helpers/chromium.ts';
import { basic, codeRequestUrl, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';
import { claimsOf } from '../helpers/tokens.ts';

let t: TestServer;
let browser: Browser;
let issuer: string;
let client: { clientId: string; secret: string };
const person = { username: 'petra', password: 'petra password 1' };

/** A free loopback port, so that the issuer can name it before the server listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

before(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  t = await startTestServer({ port, issuer });
  await t.addUser(person.username, person.password, { name: 'Petra Passkey', email: 'petra@example.com' });
  const c = await t.addClient({ name: 'Passkey App' });
  client = { clientId: c.client.clientId, secret: c.secret as string };
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

/** A browser context with a virtual platform authenticator that keeps passkeys and verifies the user. */
async function withAuthenticator(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  // The client's redirect URI is not served: the callback is answered here, in the browser.
  await page.route(`${new URL(REDIRECT_URI).origin}/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/plain', body: 'back at the client' }),
  );
  return { context, page };
}

/** Full-page screenshots at 360 px and at desktop width. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
}

const onPath = (prefix: string) => (u: URL) => u.pathname.startsWith(prefix);

describe('passkeys in Chromium', () => {
  test('register a passkey on the account page, sign out, sign in with the passkey alone; amr says so', async () => {
    const { context, page } = await withAuthenticator();
    await page.goto(`${issuer}/account`);
    await page.waitForURL(onPath('/login/'));
    // The one script, the passkey ceremony, is allowed by its hash.
    const csp = (await page.reload())?.headers()['content-security-policy'] ?? '';
    const script = (await page.locator('script').textContent()) ?? '';
    assert.ok(csp.split('; ').includes(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`), csp);
    assert.ok(await page.getByRole('button', { name: 'Use a passkey' }).isVisible());
    await shoot(page, 'login-with-passkey');
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(onPath('/account'));
    assert.equal(await page.textContent('h1'), 'Your account');

    await page.getByLabel('Name of the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Your passkey was added.').waitFor();
    assert.ok(await page.getByText('Test laptop').isVisible());
    const [stored] = await t.storage.factors.listPasskeys((await t.storage.users.getByUsername(person.username))?.id ?? '');
    assert.equal(stored?.name, 'Test laptop');

    // An authenticator app too, for the pages of its enrolment.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByText('Set up two-step verification').waitFor();
    await shoot(page, 'account-totp-enrol');
    const secret = ((await page.textContent('code.secret')) ?? '').replace(/ /g, '');
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: t.server.deps.clock() * 1000 });
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Save your recovery codes').waitFor();
    assert.equal(await page.locator('ol.codes li').count(), 10);
    await shoot(page, 'recovery-codes');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(onPath('/account'));
    await page.getByText('An authenticator app is set up.').waitFor();
    await shoot(page, 'account');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();

    // The passkey alone, through a client's authorization request.
    const { verifier, challenge } = pkce();
    await page.goto(codeRequestUrl(issuer, client.clientId, { scope: 'openid profile', code_challenge: challenge, state: 'pk' }));
    await page.waitForURL(onPath('/login/'));
    const consent = page.waitForURL(onPath('/consent/'));
    // Conditional UI may already have used the passkey from the username field's autofill.
    await page
      .getByRole('button', { name: 'Use a passkey' })
      .click({ timeout: 5000 })
      .catch(() => undefined);
    await consent;
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.href.startsWith(REDIRECT_URI));
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'pk');
    const res = await tokenRequest(
      issuer,
      { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier },
      basic(client.clientId, client.secret),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(claimsOf(String(res.body.id_token)).amr, ['hwk', 'user', 'mfa']);
    const used = await t.storage.factors.getPasskey(stored?.id ?? '');
    assert.notEqual(used?.lastUsedAt, null);
    await context.close();
  });

  test('after a password, the second-factor page offers the passkey and the code', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(codeRequestUrl(issuer, client.clientId));
    await page.getByLabel('Username').fill(person.username);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(onPath('/mfa/'));
    assert.ok(await page.getByRole('button', { name: 'Use a passkey' }).isVisible());
    assert.ok(await page.getByLabel('Code').isVisible());
    const csp = (await page.goto(page.url()))?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    await shoot(page, 'mfa');
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    await shoot(page, 'mfa-error');
    await context.close();
  });
});
