// Browser E2E in real Chromium: the three parties started as `npm start` starts them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDemo } from '../../scripts/start.ts';
import { createUser } from '../../src/accounts/users.ts';
import { ARTIFACTS, launchChromium } from '../helpers/chromium.ts';

let demo: Awaited<ReturnType<typeof startDemo>>;
let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-browser-'));
  demo = await startDemo({
    host: '127.0.0.1',
    serverPort: 0,
    clientPort: 0,
    apiPort: 0,
    db: `sqlite:${join(dir, 'demo.db')}`,
    config: { logLevel: 'silent' },
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Person {
  username: string;
  password: string;
}

let people = 0;
/** A person who has not consented to anything yet (consent is remembered per user). */
async function newPerson(): Promise<Person> {
  const person = { username: `person${++people}`, password: 'a fine password' };
  await createUser(demo.storage.users, { ...person, name: `Person ${people}` }, Math.floor(Date.now() / 1000));
  return person;
}

async function signIn(page: Page, button: '#sign-in' | '#sign-in-write', person: Person): Promise<void> {
  await page.goto(demo.app.url);
  await page.click(button);
  await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/login/`));
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function apiResult(page: Page, label: string): Promise<{ status: string; body: string }> {
  await page.getByRole('button', { name: label }).click();
  await page.waitForSelector('#result');
  return { status: (await page.textContent('#result-status')) ?? '', body: (await page.textContent('#result')) ?? '' };
}

describe('the demo in Chromium', () => {
  test('sign in, consent, see claims, call the API, refresh, sign out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The credentials `npm start` prints.
    await signIn(page, '#sign-in', { username: demo.demo.username, password: demo.demo.password });
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/consent/`));
    await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true });
    assert.ok(await page.getByText('api:read', { exact: true }).isVisible());
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${demo.app.url}/`);
    assert.match((await page.textContent('h1')) ?? '', /Signed in as Demo User/);
    assert.match((await page.textContent('dl')) ?? '', new RegExp(demo.server.url.replace(/[.]/g, '\\.')));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-app-signed-in.png'), fullPage: true });

    const read = await apiResult(page, 'Call API (read)');
    assert.equal(read.status, 'HTTP 200');
    assert.match(read.body, /Hello from the demo API/);

    const write = await apiResult(page, 'Call API (write)');
    assert.equal(write.status, 'HTTP 403');
    assert.match(write.body, /insufficient_scope/);
    assert.match(write.body, /scope="api:write"/);

    const before = await page.textContent('#scope');
    await page.getByRole('button', { name: 'Refresh tokens' }).click();
    await page.waitForSelector('text=Tokens refreshed');
    assert.equal(await page.textContent('#scope'), before);
    assert.equal((await apiResult(page, 'Call API (read)')).status, 'HTTP 200');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('#sign-in');
    // Signed out at the server too: signing in again asks for the password.
    await page.click('#sign-in');
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/login/`));
    await context.close();
  });

  test('with write access the write route answers 200', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, '#sign-in-write', await newPerson());
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${demo.app.url}/`);
    assert.match((await page.textContent('#scope')) ?? '', /api:write/);
    const write = await apiResult(page, 'Call API (write)');
    assert.equal(write.status, 'HTTP 200');
    assert.match(write.body, /Write accepted/);
    await context.close();
  });

  test('a wrong password shows an error on the login page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.app.url);
    await page.click('#sign-in');
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/login/`));
    await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true });
    await page.getByLabel('Username').fill(demo.demo.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[role=alert]');
    assert.equal((await page.textContent('[role=alert]'))?.trim(), 'The username or password is not correct.');
    await page.screenshot({ path: join(ARTIFACTS, 'login-error.png'), fullPage: true });
    await context.close();
  });

  test('Deny on consent returns to the app with access_denied', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, '#sign-in', await newPerson());
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(`${demo.app.url}/`);
    assert.match((await page.textContent('#result')) ?? '', /access_denied/);
    assert.ok(await page.locator('#sign-in').isVisible());
    await context.close();
  });

  test('the login form works with the keyboard alone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.app.url);
    await page.click('#sign-in');
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/login/`));
    // The username field has focus on load; Tab moves to the password, Enter submits.
    const person = await newPerson();
    await page.keyboard.type(person.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(person.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/consent/`));
    // Tab order on consent: Deny, then Allow.
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').textContent(), 'Deny');
    await page.keyboard.press('Tab');
    assert.equal(await page.locator(':focus').textContent(), 'Allow');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.app.url}/`);
    await context.close();
  });
});

describe('the pages on a small screen', () => {
  test('login and consent fit a 360 px wide viewport without horizontal scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const person = await newPerson();
    await signIn(page, '#sign-in', person);
    await page.waitForURL((u) => u.href.startsWith(`${demo.server.url}/consent/`));
    await page.screenshot({ path: join(ARTIFACTS, 'consent-mobile.png'), fullPage: true });
    const overflow = await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
    assert.equal(overflow, false);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${demo.app.url}/`);
    assert.equal(await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth'), false);
    await context.close();
  });

  test('after a wrong password the password field has focus and the name is kept', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const person = await newPerson();
    await signIn(page, '#sign-in', { ...person, password: 'wrong password' });
    await page.waitForSelector('[role=alert]');
    assert.equal(await page.inputValue('#username'), person.username);
    assert.equal(await page.locator(':focus').getAttribute('id'), 'password');
    await context.close();
  });
});
