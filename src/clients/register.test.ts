import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildClient } from './register.ts';

test('a generated client_id never starts with - or _ (it could be read as a command-line option)', () => {
  for (let i = 0; i < 500; i++) {
    const { record } = buildClient({ name: 'x', grantTypes: ['client_credentials'], redirectUris: [], scope: '' }, [], 1);
    assert.match(record.clientId, /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
  }
});
