// E2E: anonymous /authorize requests cannot grow the database without bound — each stored interaction
// is small, and one address may begin only `limits.interactionsPerMinute` of them per minute.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, isLoginPage } from '../helpers/browser.ts';
import { codeRequestUrl } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
let clientId: string;

before(async () => {
  t = await startTestServer({ limits: { interactionsPerMinute: 3 } });
  clientId = (await t.addClient()).client.clientId;
  t.freeze();
});
after(() => t.close());

test('the largest request stores a small interaction; over-long state and nonce are refused', async () => {
  const browser = new Browser();
  const page = await browser.open(codeRequestUrl(t.url, clientId, { state: 's'.repeat(2048), nonce: 'n'.repeat(512) }));
  assert.ok(isLoginPage(page));
  const id = page.url.split('/').pop() ?? '';
  const stored = await t.storage.interactions.get(id, Math.floor(Date.now() / 1000));
  assert.ok(stored);
  const size = JSON.stringify(stored).length;
  assert.ok(size < 4096, `an interaction stores ${size} bytes`);
  for (const extra of [{ state: 's'.repeat(2049) }, { nonce: 'n'.repeat(513) }]) {
    const refused = await browser.open(codeRequestUrl(t.url, clientId, extra));
    assert.equal(new URL(refused.url).searchParams.get('error'), 'invalid_request');
  }
});

test('one address begins at most interactionsPerMinute interactions a minute', async () => {
  t.advance(60);
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await new Browser().open(codeRequestUrl(t.url, clientId)));
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 429, 429],
  );
  const refused = answers[3];
  assert.ok(refused);
  assert.match(refused.html, /Too many sign-in requests/);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.equal(t.logs.filter((l) => l.event === 'authorize.flood').length, 1, 'the flood is logged once');
  // The next minute opens a new window.
  t.advance(60);
  assert.equal((await new Browser().open(codeRequestUrl(t.url, clientId))).status, 200);
});
