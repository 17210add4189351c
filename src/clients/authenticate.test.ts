import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import type { OAuthRequest } from '../http/types.ts';
import { openStorage } from '../storage/open.ts';
import type { ClientRecord, Storage } from '../storage/types.ts';
import { hashToken } from '../tokens/opaque.ts';
import { authenticateClient, parseBasic } from './authenticate.ts';
import { ClientKeys } from './client-keys.ts';

const SPECIAL_ID = 'app:1 +é';
const SPECIAL_SECRET = 'a+b:c%d é';

function client(overrides: Partial<ClientRecord> & Pick<ClientRecord, 'clientId'>): ClientRecord {
  return {
    secretHash: null,
    name: overrides.clientId,
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'none',
    scope: 'openid',
    createdAt: 1,
    postLogoutRedirectUris: [],
    resources: [],
    refreshTokenTtl: null,
    refreshTokenIdleTtl: null,
    disabledAt: null,
    ...overrides,
  };
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by a colon and base64-encoded (RFC 7617). */
function formEncode(s: string): string {
  return new URLSearchParams([['', s]]).toString().slice(1);
}
function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(secret)}`, 'utf8').toString('base64')}`;
}

function request(body: Record<string, string>, authorization?: string): { req: OAuthRequest; params: Record<string, string> } {
  const form = new URLSearchParams(body);
  const req: OAuthRequest = {
    method: 'POST',
    path: '/token',
    query: new URLSearchParams(),
    headers: authorization === undefined ? {} : { authorization },
    body: form,
    contentType: 'application/x-www-form-urlencoded',
    cookies: {},
    remoteAddress: '127.0.0.1',
  };
  return { req, params: singleParams(form) };
}

function rejects(code: string) {
  return (e: unknown) => {
    assert.ok(e instanceof OAuthError, `expected an OAuthError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, code === 'invalid_client' ? 401 : 400);
    return true;
  };
}

let storage: Storage;
const deps = () => ({
  clients: storage.clients,
  usedJtis: storage.usedJtis,
  clientKeys: new ClientKeys(),
  issuer: 'https://issuer.example',
  clock: () => Math.floor(Date.now() / 1000),
});

before(async () => {
  storage = await openStorage('sqlite::memory:');
  await storage.clients.create(
    client({ clientId: 'basic-app', secretHash: hashToken('basic-secret'), tokenEndpointAuthMethod: 'client_secret_basic' }),
  );
  await storage.clients.create(
    client({ clientId: 'post-app', secretHash: hashToken('post-secret'), tokenEndpointAuthMethod: 'client_secret_post' }),
  );
  await storage.clients.create(client({ clientId: 'public-app' }));
  await storage.clients.create(
    client({ clientId: SPECIAL_ID, secretHash: hashToken(SPECIAL_SECRET), tokenEndpointAuthMethod: 'client_secret_basic' }),
  );
  // A confidential client whose record lost its secret must never authenticate.
  await storage.clients.create(client({ clientId: 'no-secret', secretHash: null, tokenEndpointAuthMethod: 'client_secret_post' }));
});

after(async () => {
  await storage.close();
});

describe('client_secret_basic', () => {
  test('authenticates with the right secret', async () => {
    const { req, params } = request({ grant_type: 'authorization_code' }, basic('basic-app', 'basic-secret'));
    const result = await authenticateClient(req, params, deps());
    assert.equal(result.client.clientId, 'basic-app');
    assert.equal(result.method, 'client_secret_basic');
  });

  test('form-urldecodes the id and secret after base64 decoding (RFC 6749 §2.3.1)', async () => {
    const header = basic(SPECIAL_ID, SPECIAL_SECRET);
    // The encoded form is what goes inside the base64, so + and : of the secret are escaped.
    assert.equal(Buffer.from(header.slice(6), 'base64').toString('utf8'), 'app%3A1+%2B%C3%A9:a%2Bb%3Ac%25d+%C3%A9');
    const { req, params } = request({ grant_type: 'authorization_code' }, header);
    const result = await authenticateClient(req, params, deps());
    assert.equal(result.client.clientId, SPECIAL_ID);
    assert.equal(result.method, 'client_secret_basic');
  });

  test('does not accept the raw, unencoded secret containing + and %', async () => {
    const raw = `Basic ${Buffer.from(`basic-app:${'a+b'}`).toString('base64')}`;
    const { req, params } = request({}, raw);
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('accepts a body client_id equal to the authenticated one', async () => {
    const { req, params } = request({ client_id: 'basic-app' }, basic('basic-app', 'basic-secret'));
    assert.equal((await authenticateClient(req, params, deps())).client.clientId, 'basic-app');
  });

  test('accepts the scheme name in any case (RFC 7617 §2)', async () => {
    const header = basic('basic-app', 'basic-secret').replace('Basic', 'bAsIc');
    const { req, params } = request({}, header);
    assert.equal((await authenticateClient(req, params, deps())).client.clientId, 'basic-app');
  });

  test('refuses a wrong secret with invalid_client', async () => {
    for (const secret of ['wrong', 'basic-secret ', 'Basic-secret', '']) {
      const { req, params } = request({}, basic('basic-app', secret));
      await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'), secret);
    }
  });

  test('refuses an unknown client with invalid_client', async () => {
    const { req, params } = request({}, basic('nobody', 'basic-secret'));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses a client_id in the body that differs from the Basic one with invalid_request', async () => {
    const { req, params } = request({ client_id: 'post-app' }, basic('basic-app', 'basic-secret'));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_request'));
  });

  test('refuses Basic for a client registered for client_secret_post', async () => {
    const { req, params } = request({}, basic('post-app', 'post-secret'));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses Basic for a public client', async () => {
    const { req, params } = request({}, basic('public-app', ''));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses malformed Basic headers with invalid_client', async () => {
    const malformed = [
      'Basic',
      'Basic ',
      'Basic !!!!',
      'Basic YmFzaWMtYXBw', // "basic-app": no colon
      `Basic ${Buffer.from(':basic-secret').toString('base64')}`, // empty id
      `Basic ${Buffer.from('basic-app:%zz').toString('base64')}`, // bad percent-encoding
      `Basic ${Buffer.from('basic-app:%C3%28').toString('base64')}`, // invalid UTF-8
      `${basic('basic-app', 'basic-secret')} extra`,
    ];
    for (const header of malformed) {
      const { req, params } = request({}, header);
      await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'), header);
    }
  });
});

describe('client_secret_post', () => {
  test('authenticates with the right secret', async () => {
    const { req, params } = request({ client_id: 'post-app', client_secret: 'post-secret' });
    const result = await authenticateClient(req, params, deps());
    assert.equal(result.client.clientId, 'post-app');
    assert.equal(result.method, 'client_secret_post');
  });

  test('refuses a wrong secret with invalid_client', async () => {
    const { req, params } = request({ client_id: 'post-app', client_secret: 'basic-secret' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses a secret without a client_id', async () => {
    const { req, params } = request({ client_secret: 'post-secret' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses a post secret for a client registered for client_secret_basic', async () => {
    const { req, params } = request({ client_id: 'basic-app', client_secret: 'basic-secret' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses any secret for a confidential client with no stored secret', async () => {
    for (const secret of ['x', 'null']) {
      const { req, params } = request({ client_id: 'no-secret', client_secret: secret });
      await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
    }
  });
});

describe('none', () => {
  test('identifies a public client by client_id alone', async () => {
    const { req, params } = request({ client_id: 'public-app' });
    const result = await authenticateClient(req, params, deps());
    assert.equal(result.client.clientId, 'public-app');
    assert.equal(result.method, 'none');
  });

  test('refuses a confidential client that sends no credentials', async () => {
    for (const id of ['basic-app', 'post-app']) {
      const { req, params } = request({ client_id: id });
      await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'), id);
    }
  });

  test('refuses a secret sent by a public client', async () => {
    const { req, params } = request({ client_id: 'public-app', client_secret: 'anything' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses a request with neither client_id nor credentials', async () => {
    const { req, params } = request({ grant_type: 'authorization_code' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('refuses an unknown client_id', async () => {
    const { req, params } = request({ client_id: 'nobody' });
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_client'));
  });

  test('ignores an Authorization header of another scheme', async () => {
    const { req, params } = request({ client_id: 'public-app' }, 'Bearer abc');
    assert.equal((await authenticateClient(req, params, deps())).method, 'none');
  });
});

describe('more than one method', () => {
  test('refuses Basic together with client_secret in the body (RFC 6749 §2.3)', async () => {
    const { req, params } = request({ client_secret: 'basic-secret' }, basic('basic-app', 'basic-secret'));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_request'));
  });

  test('refuses it even when both name the same client and the right secrets', async () => {
    const { req, params } = request({ client_id: 'post-app', client_secret: 'post-secret' }, basic('post-app', 'post-secret'));
    await assert.rejects(authenticateClient(req, params, deps()), rejects('invalid_request'));
  });
});

describe('parseBasic', () => {
  test('returns nothing without a header or for another scheme', () => {
    assert.equal(parseBasic(undefined), undefined);
    assert.equal(parseBasic(''), undefined);
    assert.equal(parseBasic('Bearer abc.def'), undefined);
  });

  test('splits at the first colon; later colons belong to the secret', () => {
    assert.deepEqual(parseBasic(`Basic ${Buffer.from('id:se:cr:et').toString('base64')}`), { id: 'id', secret: 'se:cr:et' });
  });

  test('decodes + as a space and percent-escapes as UTF-8', () => {
    assert.deepEqual(parseBasic(basic(SPECIAL_ID, SPECIAL_SECRET)), { id: SPECIAL_ID, secret: SPECIAL_SECRET });
  });
});
