// E2E: brute-force protection of sign-in (per account, per address) and client authentication,
// its growing waits, its expiry (on the server's movable clock) and its limits against lock-outs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clientDimensions, loginDimensions } from '../../src/accounts/brute-force.ts';
import { Browser, isConsentPage, isLoginPage, type Page } from '../helpers/browser.ts';
import { authorizeUrl, basic, pkce, tokenRequest } from '../helpers/flow.ts';
import { REDIRECT_URI, startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let clientId: string;
let secret: string;

before(async () => {
  t = await startTestServer({
    trustProxy: 1,
    bruteForce: {
      windowSeconds: 900,
      account: { free: 3, lockAfter: 6, lockSeconds: 120 },
      ip: { free: 8, lockAfter: 12, lockSeconds: 600 },
      client: { free: 2, lockAfter: 4, lockSeconds: 60 },
      knownBrowserSeconds: 3600,
    },
  });
  // Waits and Retry-After are counted in whole seconds: only the test moves the clock.
  t.freeze();
  const c = await t.addClient();
  clientId = c.client.clientId;
  secret = c.secret ?? '';
});
after(() => t.close());

/** Runs `fn` with every request appearing to come from `ip` (through the trusted proxy). */
async function from<T>(ip: string, fn: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    original(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': ip } });
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}

async function loginPage(browser: Browser): Promise<Page> {
  const page = await browser.open(
    authorizeUrl(t.url, {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      prompt: 'login',
    }),
  );
  assert.ok(isLoginPage(page), page.html.slice(0, 200));
  return page;
}

async function failures(key: string): Promise<number> {
  return (await t.storage.throttle.get([key], Math.floor(Date.now() / 1000))).find((r) => r.key === key)?.failures ?? 0;
}

describe('sign-in', () => {
  test('growing waits, then a bounded refusal, each expiring on the clock', async () => {
    const user = await t.addUser('alice', 'alice password');
    const key = loginDimensions(t.server.deps.config, 'alice', '').account.key;
    await from('192.0.2.10', async () => {
      const browser = new Browser();
      let page = await loginPage(browser);
      // Free failures: each answered "wrong credentials" at once.
      for (let i = 1; i <= 4; i++) {
        page = await browser.submit(page, { username: 'Alice', password: 'nope' });
        assert.equal(page.status, 400);
        assert.match(page.html, /not correct/);
      }
      assert.equal(await failures(key), 4);
      // The 4th failure asks for a 1 s wait: an immediate attempt is refused, even with the right password.
      const refused = await browser.submit(page, { username: 'alice', password: user.password });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.match(refused.html, /Too many failed sign-in attempts\. For your security, try again in 1 second\./);
      assert.equal(await failures(key), 4, 'a refused attempt is not counted and never checks the password');
      t.advance(1);
      page = await browser.submit(refused, { username: 'alice', password: 'nope' });
      assert.equal(page.status, 400);
      const wait2 = await browser.submit(page, { username: 'alice', password: 'nope' });
      assert.equal(wait2.status, 429);
      assert.equal(wait2.headers.get('retry-after'), '2');
      t.advance(2);
      page = await browser.submit(wait2, { username: 'alice', password: 'nope' });
      assert.equal(await failures(key), 6);
      // lockAfter reached: refused for lockSeconds (bounded by configuration to at most an hour).
      const locked = await browser.submit(page, { username: 'alice', password: user.password });
      assert.equal(locked.status, 429);
      assert.equal(locked.headers.get('retry-after'), '120');
      assert.match(locked.html, /try again in 2 minutes/);
      t.advance(120);
      const ok = await browser.submit(locked, { username: 'alice', password: user.password });
      assert.ok(isConsentPage(ok), 'signed in');
      assert.equal(await failures(key), 0, 'a success clears the account counter');
    });
    assert.ok(t.logs.some((l) => l.event === 'login.throttled' && l.limit === 'login-account'));
  });

  test('a browser that signed in before is not locked out by an attacker', async () => {
    const user = await t.addUser('bob', 'bob password');
    const owner = new Browser();
    await from('192.0.2.20', async () => {
      const page = await loginPage(owner);
      assert.ok(isConsentPage(await owner.submit(page, { username: 'bob', password: user.password })));
    });
    // An attacker elsewhere exhausts bob's account limit.
    await from('198.51.100.66', async () => {
      const attacker = new Browser();
      let page = await loginPage(attacker);
      for (let i = 0; i < 6; i++) {
        page = await attacker.submit(page, { username: 'bob', password: `guess${i}` });
        t.advance(60);
      }
      assert.equal((await attacker.submit(page, { username: 'bob', password: user.password })).status, 429);
    });
    await from('192.0.2.20', async () => {
      // A new browser is refused until the short lock expires...
      const stranger = new Browser();
      assert.equal((await stranger.submit(await loginPage(stranger), { username: 'bob', password: user.password })).status, 429);
      // ...but the owner's browser is known for bob: only the address limit applies to it.
      assert.ok(isConsentPage(await owner.submit(await loginPage(owner), { username: 'bob', password: user.password })));
      t.advance(120);
      assert.ok(isConsentPage(await stranger.submit(await loginPage(stranger), { username: 'bob', password: user.password })));
    });
  });

  test('the per-address limit catches guesses spread over many accounts, and only that address', async () => {
    const user = await t.addUser('carol', 'carol password');
    const ipKey = loginDimensions(t.server.deps.config, '', '203.0.113.99').ip.key;
    await from('203.0.113.99', async () => {
      const browser = new Browser();
      let page = await loginPage(browser);
      for (let i = 0; i < 12; i++) {
        page = await browser.submit(page, { username: `victim${i}`, password: 'x' });
        assert.equal(page.status, 400, `attempt ${i}`);
        t.advance(60);
      }
      assert.equal(await failures(ipKey), 12);
      const refused = await browser.submit(page, { username: 'carol', password: user.password });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), String(600 - 60));
    });
    await from('192.0.2.30', async () => {
      const browser = new Browser();
      assert.ok(isConsentPage(await browser.submit(await loginPage(browser), { username: 'carol', password: user.password })));
    });
    t.advance(600);
  });

  test('a browser that signed in before is not locked out by an attack from its own address', async () => {
    const user = await t.addUser('dave', 'dave password');
    const other = await t.addUser('erin', 'erin password');
    const owner = new Browser();
    await from('192.0.2.50', async () => {
      assert.ok(isConsentPage(await owner.submit(await loginPage(owner), { username: 'dave', password: user.password })));
      // Someone behind the same address (a shared NAT) exhausts the address limit.
      const attacker = new Browser();
      let page = await loginPage(attacker);
      for (let i = 0; i < 12; i++) {
        page = await attacker.submit(page, { username: `target${i}`, password: 'x' });
        t.advance(60);
      }
      assert.equal((await attacker.submit(page, { username: 'erin', password: other.password })).status, 429);
      // The owner's browser is known for dave only: dave signs in at once, erin waits like anyone.
      assert.ok(isConsentPage(await owner.submit(await loginPage(owner), { username: 'dave', password: user.password })));
      const notKnown = await owner.submit(await loginPage(owner), { username: 'erin', password: other.password });
      assert.equal(notKnown.status, 429);
    });
    assert.ok(t.logs.some((l) => l.event === 'login.throttled' && l.limit === 'login-ip'));
    t.advance(600);
  });

  test('a known browser has its own counter: its device cookie guesses no faster than the account limit', async () => {
    const user = await t.addUser('fay', 'fay password');
    const owner = new Browser();
    await from('192.0.2.60', async () => {
      assert.ok(isConsentPage(await owner.submit(await loginPage(owner), { username: 'fay', password: user.password })));
      let page = await loginPage(owner);
      for (let i = 0; i < 4; i++) page = await owner.submit(page, { username: 'fay', password: 'nope' });
      const refused = await owner.submit(page, { username: 'fay', password: user.password });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '1');
      t.advance(1);
      assert.ok(isConsentPage(await owner.submit(refused, { username: 'fay', password: user.password })));
    });
    assert.ok(t.logs.some((l) => l.event === 'login.throttled' && l.limit === 'login-device'));
  });

  test('the device cookie is long-lived and HttpOnly; a value the server did not issue is replaced', async () => {
    const user = await t.addUser('gus', 'gus password');
    const planted = 'A'.repeat(43);
    const browser = new Browser();
    browser.cookies.set('lk_device', planted);
    await from('192.0.2.70', async () => {
      const page = await loginPage(browser);
      const res = await fetch(new URL(/action="([^"]+)"/.exec(page.html)?.[1] ?? '', page.url), {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        body: new URLSearchParams({
          csrf: /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '',
          username: 'gus',
          password: user.password,
        }),
      });
      assert.equal(res.status, 303);
      const device = res.headers.getSetCookie().find((c) => c.startsWith('lk_device='));
      assert.match(device ?? '', /^lk_device=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600$/);
      assert.ok(!device?.startsWith(`lk_device=${planted}`), 'the planted value is not adopted');
    });
  });
});

describe('client authentication', () => {
  const refresh = (auth: string) => tokenRequest(t.url, { grant_type: 'refresh_token', refresh_token: 'unknown' }, auth);

  test('failures are counted, logged and slowed down, never turned against a client with its right secret', async () => {
    const key = clientDimensions(t.server.deps.config, clientId, '192.0.2.40')[0]?.key ?? '';
    const neighbour = await t.addClient();
    const logged = () => t.logs.filter((l) => l.event === 'client.auth_failure' && l.client_id === clientId);
    const before = logged().length;
    await from('192.0.2.40', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await refresh(basic(clientId, 'wrong'))).status, 401);
      assert.equal(await failures(key), 5);
      // Authenticated (the unknown refresh token is what fails), from the address that failed, at once.
      assert.equal((await refresh(basic(clientId, secret))).body.error, 'invalid_grant');
      assert.equal((await refresh(basic(neighbour.client.clientId, neighbour.secret ?? ''))).body.error, 'invalid_grant');
    });
    // free 2, then the policy's waits (1 s, then 60 s), each answer held at most 2 s.
    assert.deepEqual(
      logged()
        .slice(before)
        .map((l) => l.delay_ms),
      [0, 0, 1000, 2000, 2000],
    );
    assert.equal(await failures(key), 5, 'a success does not hide the failures');
    assert.ok(!t.logs.some((l) => l.event === 'client.throttled'));
  });
});
