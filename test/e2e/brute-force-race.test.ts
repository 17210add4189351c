// E2E: brute-force protection under parallel bursts, with the default limits, on SQLite (one
// instance) and on two instances sharing PostgreSQL. Parallel attempts must gain nothing, and no
// burst may keep out a client with its right secret or an account's owner in a browser it used before.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { defaults } from '../../src/config/defaults.ts';
import { Browser, isConsentPage, isLoginPage, type Page } from '../helpers/browser.ts';
import { basic, codeRequestUrl, tokenRequest } from '../helpers/flow.ts';
import { createTestDatabase, pgSkip, type TestDatabase } from '../helpers/postgres.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const { account, ip, windowSeconds } = defaults.bruteForce;

interface Cluster {
  servers: TestServer[];
  /** Where each server listens (they share the first one's issuer). */
  urls: string[];
  close(): Promise<void>;
}

function raceSuite(name: string, start: () => Promise<Cluster>, skip: string | false): void {
  describe(name, { skip }, () => {
    let c: Cluster;
    let clientId: string;
    let secret: string;
    let neighbour: string;

    before(async () => {
      c = await start();
      // One frozen clock for every instance: only the tests move it, all together.
      const now = c.servers[0]?.server.deps.clock() ?? 0;
      for (const s of c.servers) s.freeze(now);
      const attacked = await c.servers[0]?.addClient();
      const other = await c.servers[0]?.addClient();
      clientId = attacked?.client.clientId ?? '';
      secret = attacked?.secret ?? '';
      neighbour = basic(other?.client.clientId ?? '', other?.secret ?? '');
    });
    after(() => c?.close());

    const advance = (seconds: number) => {
      for (const s of c.servers) s.advance(seconds);
    };
    const events = (event: string) => c.servers.reduce((n, s) => n + s.logs.filter((l) => l.event === event).length, 0);
    /** The i-th request goes to the i-th instance, round robin, as a load balancer would send it. */
    const urlFor = (i: number) => c.urls[i % c.urls.length] ?? '';

    async function loginPage(browser: Browser, i: number): Promise<Page> {
      let page = await browser.open(codeRequestUrl(urlFor(i), clientId, { prompt: 'login' }));
      // Redirects name the issuer (the first instance's origin): follow them on this instance.
      if (page.status === 303) page = await browser.open(page.url.replace(c.urls[0] ?? '', urlFor(i)));
      assert.ok(isLoginPage(page), `${page.status} ${page.url}`);
      // The form posts to the issuer; send it to the instance this browser talks to.
      return { ...page, html: page.html.replaceAll(c.urls[0] ?? '', urlFor(i)) };
    }

    /** Opens `n` login pages, then submits them all at once; returns the answers' statuses. */
    async function burst(n: number, values: (i: number) => Record<string, string>): Promise<number[]> {
      const browsers = Array.from({ length: n }, () => new Browser());
      const pages = await Promise.all(browsers.map((b, i) => loginPage(b, i)));
      const answers = await Promise.all(browsers.map((b, i) => b.submit(pages[i] as Page, values(i))));
      return answers.map((p) => p.status);
    }

    /** Signed in: the consent page, or the redirect to it when it is on the other instance's origin. */
    const signedIn = (page: Page) => isConsentPage(page) || (page.status === 303 && page.url.startsWith(`${c.urls[0]}/consent/`));

    /** A browser that signed in to `username` once, long before the attack. */
    async function ownersBrowser(username: string, password: string): Promise<Browser> {
      const browser = new Browser();
      const page = await browser.submit(await loginPage(browser, 1), { username, password });
      assert.ok(signedIn(page), `${page.status} ${page.url} ${page.html.slice(0, 300)}`);
      return browser;
    }

    test('40 parallel wrong passwords for one account: at most account.lockAfter password checks', async () => {
      const owner = await c.servers[0]?.addUser('dora', 'dora password');
      const known = await ownersBrowser('dora', 'dora password');
      const checksBefore = events('login.failure');
      const statuses = await burst(40, () => ({ username: 'dora', password: 'wrong' }));
      const checks = events('login.failure') - checksBefore;
      assert.ok(checks >= 1 && checks <= account.lockAfter, `${checks} password checks for a limit of ${account.lockAfter}`);
      assert.equal(statuses.filter((s) => s === 400).length, checks, 'each checked attempt is answered "not correct"');
      assert.equal(statuses.filter((s) => s === 429).length, 40 - checks, 'every other attempt is refused unchecked');
      // The owner's browser signs in during the attack, on either instance, at once.
      for (const i of [0, 1]) {
        const page = await known.submit(await loginPage(known, i), { username: 'dora', password: owner?.password ?? '' });
        assert.ok(signedIn(page), `instance ${i % c.urls.length}: ${page.status}`);
      }
      // A new browser waits, never longer than a minute after the last attempt.
      const stranger = new Browser();
      const refused = await stranger.submit(await loginPage(stranger, 0), { username: 'dora', password: owner?.password ?? '' });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
      advance(Number(refused.headers.get('retry-after')));
      assert.ok(signedIn(await stranger.submit(await loginPage(stranger, 1), { username: 'dora', password: owner?.password ?? '' })));
      advance(windowSeconds);
    });

    test('110 parallel wrong passwords from one address: at most ip.lockAfter password checks', async () => {
      const owner = await c.servers[0]?.addUser('emil', 'emil password');
      const known = await ownersBrowser('emil', 'emil password');
      const checksBefore = events('login.failure');
      const statuses = await burst(110, (i) => ({ username: `victim${i}`, password: 'wrong' }));
      const checks = events('login.failure') - checksBefore;
      assert.ok(checks >= 1 && checks <= ip.lockAfter, `${checks} password checks for a limit of ${ip.lockAfter}`);
      assert.equal(statuses.filter((s) => s === 429).length, 110 - checks);
      // Every request comes from 127.0.0.1: the owner's browser shares the attacker's address.
      const page = await known.submit(await loginPage(known, 0), { username: 'emil', password: owner?.password ?? '' });
      assert.ok(signedIn(page), `the owner's browser is not refused: ${page.status}`);
      const stranger = new Browser();
      const refused = await stranger.submit(await loginPage(stranger, 1), { username: 'emil', password: owner?.password ?? '' });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) <= 60, `Retry-After ${refused.headers.get('retry-after')}`);
      advance(Number(refused.headers.get('retry-after')));
      assert.ok(signedIn(await stranger.submit(await loginPage(stranger, 0), { username: 'emil', password: owner?.password ?? '' })));
      advance(windowSeconds);
    });

    test('40 parallel wrong client secrets: the client and its neighbours with the right secret are never refused', async () => {
      const refresh = (i: number, auth: string) => tokenRequest(urlFor(i), { grant_type: 'refresh_token', refresh_token: 'unknown' }, auth);
      const right = basic(clientId, secret);
      const wrong = basic(clientId, 'not the secret');
      const failuresBefore = events('client.auth_failure');
      const answers = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => refresh(i, wrong)),
        ...Array.from({ length: 10 }, (_, i) => refresh(i, i % 2 ? right : neighbour)),
      ]);
      assert.deepEqual(
        answers.slice(0, 40).map((a) => a.body.error),
        Array(40).fill('invalid_client'),
      );
      // Authenticated: the unknown refresh token is what is refused, not the client.
      assert.deepEqual(
        answers.slice(40).map((a) => a.body.error),
        Array(10).fill('invalid_grant'),
      );
      // After the burst, from the same address, on every instance.
      for (const [i, auth] of [right, neighbour, right, neighbour].entries()) {
        const after = await refresh(i, auth);
        assert.equal(after.status, 400, `${after.status} ${String(after.body.error)}`);
        assert.equal(after.body.error, 'invalid_grant');
      }
      assert.equal(events('client.auth_failure') - failuresBefore, 40, 'every failure is logged');
      let counted = 0;
      for (const url of c.urls) {
        const text = await (await fetch(`${url}/metrics`)).text();
        counted += Number(/^latchkey_client_auth_failures_total (\d+)$/m.exec(text)?.[1] ?? 0);
      }
      assert.equal(counted, 40, 'and counted in the metrics');
      assert.ok(events('client.throttled') === 0);
    });
  });
}

raceSuite(
  'parallel bursts on SQLite',
  async () => {
    const t = await startTestServer();
    return { servers: [t], urls: [t.url], close: () => t.close() };
  },
  false,
);

raceSuite(
  'parallel bursts on two instances sharing PostgreSQL',
  async () => {
    const pg: TestDatabase = await createTestDatabase();
    const a = await startTestServer({ db: pg.url });
    const b = await startTestServer({ db: pg.url, issuer: a.url });
    const bUrl = `http://127.0.0.1:${(b.server.http.address() as AddressInfo).port}`;
    return {
      servers: [a, b],
      urls: [a.url, bUrl],
      async close() {
        await a.close();
        await b.close();
        await pg.drop();
      },
    };
  },
  pgSkip,
);
