// E2E: behind a reverse proxy that the configuration does not trust, the server says so once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let untrusting: TestServer;
let trusting: TestServer;

before(async () => {
  untrusting = await startTestServer();
  trusting = await startTestServer({ trustProxy: 1 });
});
after(async () => {
  await untrusting.close();
  await trusting.close();
});

const warnings = (t: TestServer) => t.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('X-Forwarded-For'));
const viaProxy = (url: string, ip: string) => fetch(`${url}/healthz`, { headers: { 'x-forwarded-for': ip } });

test('requests with X-Forwarded-For while trustProxy is off log one warning naming the setting', async () => {
  assert.equal((await fetch(`${untrusting.url}/healthz`)).status, 200);
  assert.equal(warnings(untrusting).length, 0, 'no warning without the header');
  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) assert.equal((await viaProxy(untrusting.url, ip)).status, 200);
  const [warning, ...more] = warnings(untrusting);
  assert.equal(more.length, 0, 'once');
  assert.equal(warning?.level, 40, 'at warn level');
  assert.match(String(warning?.msg), /trustProxy/);
});

test('no warning when proxies are trusted', async () => {
  assert.equal((await viaProxy(trusting.url, '192.0.2.4')).status, 200);
  assert.equal(warnings(trusting).length, 0);
});
