import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openStorage } from './open.ts';
import { withReadCaches } from './read-cache.ts';
import type { ClientRecord } from './types.ts';

const raw = await openStorage('sqlite::memory:');
after(() => raw.close());

const record: ClientRecord = {
  clientId: 'cached-app',
  secretHash: 'h1',
  name: 'App',
  redirectUris: ['https://app.example/cb'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'openid',
  createdAt: 1,
  postLogoutRedirectUris: [],
  resources: [],
  refreshTokenTtl: null,
  refreshTokenIdleTtl: null,
  disabledAt: null,
};

test('a changed client is seen at once by the process that changed it, and by the others after clientTtlMs', async () => {
  let ms = 1_000_000;
  const opts = { clientTtlMs: 5000, max: 100, nowMs: () => ms };
  // Two instances over one database.
  const here = withReadCaches(raw, opts);
  const there = withReadCaches(raw, opts);
  await here.clients.create(record);
  assert.equal((await here.clients.get(record.clientId))?.disabledAt, null);
  assert.equal((await there.clients.get(record.clientId))?.disabledAt, null);

  assert.equal(await here.clients.update({ ...record, disabledAt: 42 }), true);
  assert.equal((await here.clients.get(record.clientId))?.disabledAt, 42, 'at once where it was changed');
  ms += 4999;
  assert.equal((await there.clients.get(record.clientId))?.disabledAt, null, 'still cached elsewhere');
  ms += 1;
  assert.equal((await there.clients.get(record.clientId))?.disabledAt, 42, 'seen elsewhere after clientTtlMs');

  assert.equal(await here.clients.delete(record.clientId), true);
  assert.equal(await here.clients.get(record.clientId), undefined, 'a deleted client at once');
  assert.ok(await there.clients.get(record.clientId));
  ms += 5000;
  assert.equal(await there.clients.get(record.clientId), undefined);
});
