// Browser E2E in real Chromium: the device page (RFC 8628 §3.3) — a person types the code a device
// shows, signs in, sees the client and the scopes, allows; the device's next poll gets tokens.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../helpers/chromium.ts';
import { tokenRequest } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let t: TestServer;
let browser: Browser;

before(async () => {
  t = await startTestServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await t?.close();
});

test('a person enters the device code in Chromium, signs in and allows; the device gets its tokens', async () => {
  const person = await t.addUser('tv-owner', 'a fine password', { name: 'TV Owner' });
  const { client } = await t.addClient({ name: 'Living Room TV', public: true, redirectUris: [], grantTypes: [DEVICE_GRANT] });
  const res = await fetch(`${t.url}/device_authorization`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: client.clientId, scope: 'openid profile' }),
  });
  const started = (await res.json()) as { device_code: string; user_code: string; verification_uri: string };

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(started.verification_uri);
  await page.screenshot({ path: join(ARTIFACTS, 'device-code.png'), fullPage: true });
  // Typed as a person might: lower case, without the dash.
  await page.getByLabel('Code').fill(started.user_code.toLowerCase().replace('-', ''));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${t.url}/login/`));
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.href.startsWith(`${t.url}/consent/`));
  assert.match((await page.textContent('body')) ?? '', /Living Room TV/);
  assert.ok(await page.getByText('profile', { exact: true }).isVisible());
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForSelector('text=Device connected');
  await page.screenshot({ path: join(ARTIFACTS, 'device-connected.png'), fullPage: true });
  await context.close();

  const tokens = await tokenRequest(t.url, { grant_type: DEVICE_GRANT, device_code: started.device_code, client_id: client.clientId });
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  assert.equal(tokens.body.scope, 'openid profile');
});

test('a wrong code shows an error on the device page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${t.url}/device`);
  await page.getByLabel('Code').fill('BBBB-BBBB');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForSelector('[role=alert]');
  assert.match((await page.textContent('[role=alert]')) ?? '', /not valid, or it has expired/);
  await context.close();
});
