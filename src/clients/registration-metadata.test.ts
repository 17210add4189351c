// RFC 7591 §2 and §3.2.2, OIDC DCR §2: what a client may register for itself, and the precise refusals.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { registrationToClient } from './registration-metadata.ts';

const SCOPES = ['openid', 'profile', 'email', 'offline_access', 'mcp:tools'];
const refused = (code: string, description: RegExp) => (e: unknown) =>
  e instanceof OAuthError && e.code === code && description.test(e.description);

describe('registrationToClient', () => {
  test('a native public client with loopback redirect URIs and registry scopes', () => {
    const c = registrationToClient(
      {
        client_name: 'Agent',
        redirect_uris: ['http://127.0.0.1:33418/cb', 'com.example.app:/cb'],
        token_endpoint_auth_method: 'none',
        scope: 'mcp:tools',
      },
      SCOPES,
    );
    assert.deepEqual(
      { name: c.name, public: c.public, method: c.tokenEndpointAuthMethod, scope: c.scope, grants: c.grantTypes },
      { name: 'Agent', public: true, method: 'none', scope: 'mcp:tools', grants: ['authorization_code'] },
    );
  });
  test('defaults: a confidential client with the sign-in scopes and a name', () => {
    const c = registrationToClient({ redirect_uris: ['https://app.example/cb'] }, SCOPES);
    assert.equal(c.tokenEndpointAuthMethod, 'client_secret_basic');
    assert.equal(c.name, 'Unnamed client');
    assert.equal(c.scope, 'openid profile email offline_access');
  });
  test('invalid_redirect_uri for each redirect problem', () => {
    assert.throws(
      () => registrationToClient({ redirect_uris: ['https://a.example/cb#f'] }, SCOPES),
      refused('invalid_redirect_uri', /fragment/),
    );
    assert.throws(
      () => registrationToClient({ application_type: 'web', redirect_uris: ['http://127.0.0.1/cb'] }, SCOPES),
      refused('invalid_redirect_uri', /https/),
    );
    assert.throws(
      () => registrationToClient({ application_type: 'native', redirect_uris: ['http://10.0.0.1/cb'] }, SCOPES),
      refused('invalid_redirect_uri', /http/),
    );
    assert.throws(
      () => registrationToClient({ redirect_uris: ['javascript:alert(1)'] }, SCOPES),
      refused('invalid_redirect_uri', /forbidden scheme/),
    );
  });
  test('invalid_client_metadata for each metadata problem', () => {
    const ok = { redirect_uris: ['https://a.example/cb'] };
    assert.throws(() => registrationToClient('x', SCOPES), refused('invalid_client_metadata', /JSON object/));
    assert.throws(
      () => registrationToClient({ ...ok, redirect_uris: 'https://a.example/cb' }, SCOPES),
      refused('invalid_client_metadata', /redirect_uris/),
    );
    assert.throws(() => registrationToClient({ ...ok, scope: 'api:admin' }, SCOPES), refused('invalid_client_metadata', /scope/));
    assert.throws(
      () => registrationToClient({ ...ok, token_endpoint_auth_method: 'client_secret_jwt' }, SCOPES),
      refused('invalid_client_metadata', /auth_method/),
    );
    assert.throws(
      () => registrationToClient({ ...ok, grant_types: ['implicit'] }, SCOPES),
      refused('invalid_client_metadata', /grant_types/),
    );
    assert.throws(() => registrationToClient({ ...ok, client_name: 7 }, SCOPES), refused('invalid_client_metadata', /client_name/));
  });
});
