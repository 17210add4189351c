import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ClientRecord, ClientStore } from '../storage/types.ts';
import {
  ClientMetadataDocumentError,
  cacheSeconds,
  documentHosts,
  issuerOnLoopback,
  MetadataDocuments,
  withMetadataDocuments,
} from './metadata-document.ts';

const scopes = ['openid', 'profile', 'email', 'offline_access'];

describe('client metadata documents', () => {
  let server: Server;
  let base: string;
  const answers = new Map<string, { status: number; headers?: Record<string, string>; body: string }>();
  const hits = new Map<string, number>();
  const doc = (path: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ client_id: `${base}${path}`, client_name: 'Tool', redirect_uris: ['http://127.0.0.1/callback'], ...extra });

  before(async () => {
    server = createServer((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
      const a = answers.get(req.url ?? '');
      if (!a) return void res.writeHead(404).end();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  let now = 1_000_000;
  // The issuer on loopback (development, tests) may fetch documents on loopback; another may not.
  const documents = (loopbackIssuer = true, allowedHosts?: string[]) =>
    new MetadataDocuments({
      documents: { enabled: true, minCacheSeconds: 60, maxCacheSeconds: 86_400, ...(allowedHosts ? { allowedHosts } : {}) },
      fetch: { timeoutMs: 2000, maxBytes: 64 * 1024, allowLoopback: false },
      issuer: loopbackIssuer ? 'http://127.0.0.1:8080' : 'https://as.example.test',
      supportedScopes: scopes,
      clock: () => now,
    });
  const refused = (part: RegExp) => (e: unknown) => e instanceof ClientMetadataDocumentError && part.test(e.message);

  test('a valid document is a public client, not stored, with the sign-in scopes', async () => {
    answers.set('/ok', { status: 200, body: doc('/ok') });
    const client = await documents().resolve(`${base}/ok`);
    assert.equal(client.clientId, `${base}/ok`);
    assert.equal(client.name, 'Tool');
    assert.equal(client.tokenEndpointAuthMethod, 'none');
    assert.equal(client.secretHash, null);
    assert.deepEqual(client.redirectUris, ['http://127.0.0.1/callback']);
    assert.deepEqual(client.grantTypes, ['authorization_code', 'refresh_token']);
    assert.equal(client.scope, 'openid profile email offline_access');
    assert.equal(client.disabledAt, null);
  });

  test('a redirect is not followed', async () => {
    answers.set('/moved', { status: 302, headers: { location: '/ok' }, body: '' });
    await assert.rejects(documents().resolve(`${base}/moved`), refused(/302/));
  });

  test('anything but 200 is refused', async () => {
    await assert.rejects(documents().resolve(`${base}/missing`), refused(/404/));
    answers.set('/created', { status: 201, body: doc('/created') });
    await assert.rejects(documents().resolve(`${base}/created`), refused(/201/));
  });

  test('a document larger than 5 KB is refused', async () => {
    answers.set('/big', { status: 200, body: doc('/big', { client_name: 'x'.repeat(6000) }) });
    await assert.rejects(documents().resolve(`${base}/big`), refused(/larger than 5120 bytes/));
  });

  test('a client_id other than the URL is refused', async () => {
    answers.set('/other', { status: 200, body: doc('/ok') });
    await assert.rejects(documents().resolve(`${base}/other`), refused(/client_id is not the URL/));
    answers.set('/slash', { status: 200, body: doc('/slash/') });
    await assert.rejects(documents().resolve(`${base}/slash`), refused(/client_id is not the URL/));
  });

  test('shared-secret authentication is refused', async () => {
    for (const method of ['client_secret_basic', 'client_secret_post', 'client_secret_jwt']) {
      answers.set(`/${method}`, { status: 200, body: doc(`/${method}`, { token_endpoint_auth_method: method }) });
      await assert.rejects(documents().resolve(`${base}/${method}`), refused(/shared secret/), method);
    }
    answers.set('/secret', { status: 200, body: doc('/secret', { client_secret: 'abc' }) });
    await assert.rejects(documents().resolve(`${base}/secret`), refused(/client_secret/));
    answers.set('/tls', { status: 200, body: doc('/tls', { token_endpoint_auth_method: 'tls_client_auth' }) });
    await assert.rejects(documents().resolve(`${base}/tls`), refused(/must be none or private_key_jwt/));
  });

  test('a private_key_jwt client names its keys: jwks or jwks_uri, public keys only', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    answers.set('/jwt', { status: 200, body: doc('/jwt', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } }) });
    const keyed = await documents().resolve(`${base}/jwt`);
    assert.equal(keyed.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.equal(keyed.secretHash, null);
    assert.deepEqual(keyed.jwks, { keys: [jwk] });
    answers.set('/jwt-uri', {
      status: 200,
      body: doc('/jwt-uri', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://tool.example/jwks.json' }),
    });
    assert.equal((await documents().resolve(`${base}/jwt-uri`)).jwksUri, 'https://tool.example/jwks.json');
    answers.set('/jwt-none', { status: 200, body: doc('/jwt-none', { token_endpoint_auth_method: 'private_key_jwt' }) });
    await assert.rejects(documents().resolve(`${base}/jwt-none`), refused(/requires jwks or jwks_uri/));
    const priv = privateKey.export({ format: 'jwk' });
    answers.set('/jwt-d', { status: 200, body: doc('/jwt-d', { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [priv] } }) });
    await assert.rejects(documents().resolve(`${base}/jwt-d`), refused(/private key material/));
    answers.set('/jwt-http', {
      status: 200,
      body: doc('/jwt-http', { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://tool.example/jwks.json' }),
    });
    await assert.rejects(documents().resolve(`${base}/jwt-http`), refused(/https/));
  });

  test('bad JSON and bad redirect URIs are refused', async () => {
    answers.set('/text', { status: 200, body: 'hello' });
    await assert.rejects(documents().resolve(`${base}/text`), refused(/not JSON/));
    answers.set('/none', { status: 200, body: doc('/none', { redirect_uris: [] }) });
    await assert.rejects(documents().resolve(`${base}/none`), refused(/redirect_uris/));
    answers.set('/js', { status: 200, body: doc('/js', { redirect_uris: ['javascript:alert(1)'] }) });
    await assert.rejects(documents().resolve(`${base}/js`), refused(/forbidden scheme/));
  });

  test('a URL that is not https, or has no path, is refused before any fetch', async () => {
    answers.set('/plain', { status: 200, body: doc('/plain') });
    await assert.rejects(documents(false).resolve(`${base}/plain`), refused(/on loopback/));
    await assert.rejects(documents(true).resolve('http://example.com/client.json'), refused(/https/));
    await assert.rejects(documents().resolve(`${base}/`), refused(/path/));
    await assert.rejects(documents().resolve(`${base}/a/../ok`), refused(/\.\. path segments/));
    assert.equal(hits.get('/plain'), undefined);
  });

  test('a private address is refused; loopback too unless the issuer is on loopback', async () => {
    const port = new URL(base).port;
    answers.set('/near', { status: 200, body: doc('/near') });
    for (const host of [`127.0.0.1:${port}`, '127.8.9.10', '[::1]', 'localhost', 'LOCALHOST:8443']) {
      await assert.rejects(documents(false).resolve(`https://${host}/near`), refused(/issuer is on loopback too/), host);
    }
    await assert.rejects(documents(false).resolve(`${base}/near`), refused(/issuer is on loopback too/));
    assert.equal(hits.get('/near'), undefined);
    assert.equal((await documents(true).resolve(`${base}/near`)).name, 'Tool');
    await assert.rejects(documents(true).resolve('https://10.0.0.1/client.json'), refused(/special-use address 10\.0\.0\.1/));
    await assert.rejects(documents(true).resolve('https://[fd00::1]/client.json'), refused(/special-use address/));
  });

  test('the issuer is on loopback when its host is 127.0.0.0/8, ::1 or localhost', () => {
    for (const issuer of [
      'http://127.0.0.1:3000',
      'https://127.1.2.3',
      'http://[::1]:8080/t',
      'http://localhost:3000',
      'https://LocalHost',
    ]) {
      assert.equal(issuerOnLoopback(issuer), true, issuer);
    }
    for (const issuer of ['https://as.example.test', 'https://10.0.0.1', 'https://localhost.example.com', 'https://[::2]']) {
      assert.equal(issuerOnLoopback(issuer), false, issuer);
    }
  });

  test('allowedHosts accepts listed hosts and URL prefixes only', async () => {
    answers.set('/team/app', { status: 200, body: doc('/team/app') });
    await assert.rejects(documents(true, ['example.com']).resolve(`${base}/team/app`), refused(/allowedHosts/));
    assert.equal((await documents(true, ['127.0.0.1']).resolve(`${base}/team/app`)).name, 'Tool');
    assert.equal((await documents(true, [`${base}/team/`]).resolve(`${base}/team/app`)).name, 'Tool');
    await assert.rejects(documents(true, [`${base}/other/`]).resolve(`${base}/team/app`), refused(/allowedHosts/));
  });

  test('a document is kept for its max-age within the bounds; an error is never kept', async () => {
    const d = documents();
    await assert.rejects(d.resolve(`${base}/later`), refused(/404/));
    answers.set('/later', { status: 200, headers: { 'cache-control': 'max-age=600' }, body: doc('/later') });
    assert.equal((await d.resolve(`${base}/later`)).name, 'Tool');
    answers.set('/later', { status: 200, body: doc('/later', { client_name: 'Changed' }) });
    now += 599;
    assert.equal((await d.resolve(`${base}/later`)).name, 'Tool');
    assert.equal(hits.get('/later'), 2);
    now += 2;
    assert.equal((await d.resolve(`${base}/later`)).name, 'Changed');
  });

  test('Cache-Control is clamped to the bounds', () => {
    assert.equal(cacheSeconds('', 60, 86_400), 60);
    assert.equal(cacheSeconds('max-age=5', 60, 86_400), 60);
    assert.equal(cacheSeconds('public, max-age=3600', 60, 86_400), 3600);
    assert.equal(cacheSeconds('max-age=9999999', 60, 86_400), 86_400);
    assert.equal(cacheSeconds('no-store', 60, 86_400), 60);
  });

  test('the store answers stored clients first and hides refusals', async () => {
    const stored = { clientId: 'app', name: 'Stored' } as ClientRecord;
    const store = { get: async (id: string) => (id === 'app' ? stored : undefined) } as ClientStore;
    const reasons: string[] = [];
    const clients = withMetadataDocuments(store, documents(), (_id, reason) => reasons.push(reason));
    assert.equal(await clients.get('app'), stored);
    assert.equal(await clients.get('unknown'), undefined);
    assert.equal((await clients.get(`${base}/ok`))?.name, 'Tool');
    assert.equal(await clients.get(`${base}/missing`), undefined);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0] ?? '', /404/);
  });

  test('the consent page hosts', () => {
    assert.deepEqual(
      documentHosts('https://tool.example/c.json', ['http://127.0.0.1/cb', 'http://localhost:8080/cb'], 'http://127.0.0.1:4000/cb'),
      {
        clientHost: 'tool.example',
        redirectHost: '127.0.0.1:4000',
        loopbackOnly: true,
      },
    );
    assert.equal(
      documentHosts('https://tool.example/c.json', ['https://app.example/cb', 'http://127.0.0.1/cb'], 'https://app.example/cb')
        .loopbackOnly,
      false,
    );
    assert.equal(
      documentHosts('https://tool.example/c.json', ['com.example.app:/cb'], 'com.example.app:/cb').redirectHost,
      'com.example.app',
    );
  });
});
