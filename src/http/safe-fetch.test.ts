import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isSpecialUseAddress, SafeFetchError, safeFetch } from './safe-fetch.ts';

describe('isSpecialUseAddress', () => {
  test('private, loopback, link-local, metadata, multicast, documentation and mapped addresses are special', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.51.100.7',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '2001:db8::1',
      'not an address',
    ]) {
      assert.equal(isSpecialUseAddress(a), true, a);
    }
  });
  test('public addresses are not', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '2a00:1450:4001:82b::200e']) {
      assert.equal(isSpecialUseAddress(a), false, a);
    }
  });
});

describe('safeFetch', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      else if (req.url === '/post' && req.method === 'POST') {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
        req.on('end', () => res.writeHead(form && body === 'logout_token=abc' ? 204 : 400).end());
      } else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/big') res.writeHead(200).end('x'.repeat(5000));
      else if (req.url === '/chunked') {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
        res.end();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const refused = (reason: SafeFetchError['reason']) => (e: unknown) => e instanceof SafeFetchError && e.reason === reason;

  test('fetches a 200 from loopback when allowed', async () => {
    const { body, contentType } = await safeFetch(`${base}/ok`, { allowLoopback: true });
    assert.equal(body.toString(), '{"keys":[]}');
    assert.equal(contentType, 'application/json');
  });
  test('loopback is refused unless allowed, by address and by name', async () => {
    await assert.rejects(safeFetch(`${base}/ok`), refused('address'));
    await assert.rejects(safeFetch(`https://127.0.0.1:1/ok`), refused('address'));
    await assert.rejects(safeFetch(`https://localhost:${new URL(base).port}/ok`), refused('address'));
  });
  test('a special-use address is refused even when loopback is allowed', async () => {
    await assert.rejects(safeFetch('http://169.254.169.254/latest', { allowLoopback: true }), refused('address'));
    await assert.rejects(safeFetch('https://[::ffff:10.0.0.1]/', { allowLoopback: true }), refused('address'));
    await assert.rejects(safeFetch('https://10.0.0.1/', { allowLoopback: true }), refused('address'));
  });
  test('plain http, credentials and non-URLs are refused', async () => {
    await assert.rejects(safeFetch('http://93.184.216.34/'), refused('url'));
    await assert.rejects(safeFetch('https://user:pw@example.com/'), refused('url'));
    await assert.rejects(safeFetch('not a url'), refused('url'));
    await assert.rejects(safeFetch('file:///etc/passwd', { allowLoopback: true }), refused('url'));
  });
  test('redirects are not followed and only 200 is accepted', async () => {
    await assert.rejects(safeFetch(`${base}/redirect`, { allowLoopback: true }), refused('status'));
    await assert.rejects(safeFetch(`${base}/missing`, { allowLoopback: true }), refused('status'));
  });
  test('posts a body; the given statuses are success, redirects still refused', async () => {
    const post = { contentType: 'application/x-www-form-urlencoded', body: 'logout_token=abc' };
    await safeFetch(`${base}/post`, { allowLoopback: true, post, okStatuses: [200, 204] });
    await assert.rejects(safeFetch(`${base}/post`, { allowLoopback: true, post }), refused('status'));
    await assert.rejects(safeFetch(`${base}/redirect`, { allowLoopback: true, post, okStatuses: [200, 204] }), refused('status'));
    await assert.rejects(safeFetch(`${base}/post`, { post, okStatuses: [200, 204] }), refused('address'));
  });
  test('a body over the limit is refused, declared or streamed', async () => {
    await assert.rejects(safeFetch(`${base}/big`, { allowLoopback: true, maxBytes: 1024 }), refused('size'));
    await assert.rejects(safeFetch(`${base}/chunked`, { allowLoopback: true, maxBytes: 4096 }), refused('size'));
  });
});
