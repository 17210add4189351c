// E2E: operators theme the pages with their own stylesheet and replace templates.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { page } from '../../src/interaction/views.ts';
import { Browser } from '../helpers/browser.ts';
import { codeRequestUrl } from '../helpers/flow.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let dir: string;
let t: TestServer;
const CSS = ':root { --lk-accent: #7a1fa2; }';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-theme-'));
  writeFileSync(join(dir, 'brand.css'), CSS);
  t = await startTestServer(
    { theme: { css: join(dir, 'brand.css') } },
    { views: { error: (status, message) => page(status, 'Oops', `<h1>Oops</h1><p role="alert">${message.replace(/</g, '&lt;')}</p>`) } },
  );
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the operator stylesheet follows the default one and the CSP allows exactly that', async () => {
  const { client } = await t.addClient();
  const res = await new Browser().open(codeRequestUrl(t.url, client.clientId));
  const style = /<style>([\s\S]*)<\/style>/.exec(res.html)?.[1] ?? '';
  assert.ok(style.endsWith(CSS), 'the operator stylesheet comes last, so it wins');
  assert.match(style, /--lk-accent: #1f5fbf/);
  const hash = createHash('sha256').update(style).digest('base64');
  assert.match(res.headers.get('content-security-policy') ?? '', new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
});

test('a replaced template is used for every error page, the router’s 404 included', async () => {
  const unknown = await new Browser().open(`${t.url}/authorize?client_id=nobody`);
  assert.equal(unknown.status, 400);
  assert.match(unknown.html, /<h1>Oops<\/h1>/);
  const missing = await new Browser().open(`${t.url}/no-such-page`);
  assert.equal(missing.status, 404);
  assert.match(missing.html, /<h1>Oops<\/h1>/);
});

test('a theme file that cannot be read stops start-up with a message naming the key', async () => {
  await assert.rejects(startTestServer({ theme: { css: join(dir, 'missing.css') } }), /"theme\.css" cannot be read/);
});
