import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientRecord } from '../storage/types.ts';
import { mayIntrospectAccessToken, mayIntrospectRefreshToken } from './introspection-access.ts';

const API = 'https://api.example';
const client = (clientId: string, resources: string[] = []): ClientRecord => ({
  clientId,
  secretHash: 'x',
  name: clientId,
  redirectUris: [],
  grantTypes: ['client_credentials'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: '',
  createdAt: 0,
  postLogoutRedirectUris: [],
  resources,
  refreshTokenTtl: null,
  refreshTokenIdleTtl: null,
  disabledAt: null,
});

describe('mayIntrospectAccessToken (RFC 7662 §4)', () => {
  test("the token's own client may, whatever the audience", () => {
    assert.equal(mayIntrospectAccessToken(client('app'), { client_id: 'app', aud: API }), true);
    assert.equal(mayIntrospectAccessToken(client('app'), { client_id: 'app', aud: 'https://issuer.example' }), true);
  });

  test('a client registered with a resource in the audience may', () => {
    const rs = client('rs', [API]);
    assert.equal(mayIntrospectAccessToken(rs, { client_id: 'app', aud: API }), true);
    assert.equal(mayIntrospectAccessToken(rs, { client_id: 'app', aud: ['https://issuer.example', API] }), true);
  });

  test('any other client may not: no resource in common, none registered, or no audience', () => {
    assert.equal(mayIntrospectAccessToken(client('rs', [API]), { client_id: 'app', aud: 'https://other.example' }), false);
    assert.equal(mayIntrospectAccessToken(client('rs', [API]), { client_id: 'app', aud: ['https://issuer.example'] }), false);
    assert.equal(mayIntrospectAccessToken(client('rs'), { client_id: 'app', aud: API }), false);
    assert.equal(mayIntrospectAccessToken(client('rs', [API]), { client_id: 'app' }), false);
    // A prefix or another spelling is another resource.
    assert.equal(mayIntrospectAccessToken(client('rs', [API]), { client_id: 'app', aud: `${API}/` }), false);
  });
});

describe('mayIntrospectRefreshToken', () => {
  test('only its own client, even a resource server of the grant', () => {
    assert.equal(mayIntrospectRefreshToken(client('app'), { clientId: 'app' }), true);
    assert.equal(mayIntrospectRefreshToken(client('rs', [API]), { clientId: 'app' }), false);
  });
});
