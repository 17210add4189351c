import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientRecord } from '../storage/types.ts';
import { isRegisteredRedirectUri, redirectUriProblem } from './redirect-uri.ts';

const client: ClientRecord = {
  clientId: 'app',
  secretHash: null,
  name: 'App',
  redirectUris: ['https://app.example.com/cb', 'https://app.example.com:8443/a/b?x=1', 'http://127.0.0.1:5173/callback'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'openid',
  createdAt: 0,
  postLogoutRedirectUris: [],
  resources: [],
  refreshTokenTtl: null,
  refreshTokenIdleTtl: null,
  disabledAt: null,
};

describe('isRegisteredRedirectUri', () => {
  test('accepts each registered URI exactly as registered', () => {
    for (const uri of client.redirectUris) assert.equal(isRegisteredRedirectUri(client, uri), true, uri);
  });

  test('refuses any difference: no normalisation, no prefix or pattern match', () => {
    const refused = [
      'https://app.example.com/cb/', // trailing slash
      'https://app.example.com/c', // prefix
      'https://app.example.com/cb/extra', // longer path
      'https://app.example.com/CB', // path case
      'https://APP.example.com/cb', // host case
      'HTTPS://app.example.com/cb', // scheme case
      'https://app.example.com/cb?x=1', // extra query
      'https://app.example.com/cb?', // empty query
      'https://app.example.com/cb#', // empty fragment
      'https://app.example.com:443/cb', // explicit default port
      'https://app.example.com:8443/cb', // other port
      'http://app.example.com/cb', // other scheme
      'https://app.example.com/%63b', // percent-encoded unreserved character
      'https://app.example.com/./cb', // dot segment
      'https://app.example.com.evil.com/cb', // other host sharing a prefix
      'https://evil.com/https://app.example.com/cb',
      'https://app.example.com:8443/a/b', // registered query dropped
      'https://app.example.com:8443/a/b?x=1&y=2', // registered query extended
      'https://app.example.com:8443/a/b?x=2',
      'https://app.example.com:8443/a/c?x=1', // path
      'http://localhost:5173/callback', // loopback under another name
      'http://[::1]:5173/callback',
      ' https://app.example.com/cb', // whitespace
      'https://app.example.com/cb ',
      '',
    ];
    for (const uri of refused) assert.equal(isRegisteredRedirectUri(client, uri), false, JSON.stringify(uri));
  });

  test('a public client on a loopback IP literal may use any port (RFC 8252 §7.3), and nothing else varies', () => {
    const native: ClientRecord = { ...client, tokenEndpointAuthMethod: 'none' };
    assert.equal(isRegisteredRedirectUri(native, 'http://127.0.0.1:49152/callback'), true);
    assert.equal(isRegisteredRedirectUri(native, 'http://127.0.0.1/callback'), true);
    assert.equal(isRegisteredRedirectUri(native, 'http://127.0.0.1:49152/callback/'), false);
    assert.equal(isRegisteredRedirectUri(native, 'http://127.0.0.1:49152/other'), false);
    assert.equal(isRegisteredRedirectUri(native, 'http://[::1]:49152/callback'), false);
    assert.equal(isRegisteredRedirectUri(native, 'http://localhost:49152/callback'), false);
    assert.equal(isRegisteredRedirectUri(native, 'https://127.0.0.1:49152/callback'), false);
    // Only ports that exist (RFC 6335 §6): 65535 is the last.
    assert.equal(isRegisteredRedirectUri(native, 'http://127.0.0.1:65535/callback'), true);
    for (const port of ['65536', '70000', '99999']) {
      assert.equal(isRegisteredRedirectUri(native, `http://127.0.0.1:${port}/callback`), false, port);
    }
    const v6: ClientRecord = { ...native, redirectUris: ['http://[::1]/cb'] };
    assert.equal(isRegisteredRedirectUri(v6, 'http://[::1]:65535/cb'), true);
    assert.equal(isRegisteredRedirectUri(v6, 'http://[::1]:65536/cb'), false);
    // A confidential client gets no such exception.
    assert.equal(isRegisteredRedirectUri(client, 'http://127.0.0.1:49152/callback'), false);
  });

  test('a client with no redirect URIs matches nothing', () => {
    assert.equal(isRegisteredRedirectUri({ ...client, redirectUris: [] }, 'https://app.example.com/cb'), false);
  });
});

describe('redirectUriProblem', () => {
  test('accepts https URIs, with port, path and query', () => {
    for (const uri of ['https://app.example.com/cb', 'https://app.example.com:8443/a/b?x=1', 'https://10.0.0.1/cb']) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  test('accepts http only on loopback addresses (RFC 8252 §7.3)', () => {
    for (const uri of ['http://127.0.0.1/cb', 'http://127.0.0.1:5173/cb', 'http://[::1]:8080/cb', 'http://localhost:3000/cb']) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  test('refuses http on any other host', () => {
    for (const uri of [
      'http://app.example.com/cb',
      'http://10.0.0.1/cb',
      'http://localhost.evil.com/cb',
      'http://127.0.0.1.nip.io/cb',
      'http://evil.com/127.0.0.1',
      'http://evil.com?localhost',
    ]) {
      assert.match(redirectUriProblem(uri) ?? '', /must use https/, uri);
    }
  });

  test('refuses a fragment, even an empty one (RFC 6749 §3.1.2)', () => {
    for (const uri of ['https://app.example.com/cb#frag', 'https://app.example.com/cb#', 'com.example.app:/cb#x']) {
      assert.match(redirectUriProblem(uri) ?? '', /fragment/, uri);
    }
  });

  test('refuses scripting and local schemes', () => {
    for (const [uri, scheme] of [
      ['javascript:alert(1)', 'javascript'],
      ['JavaScript:alert(1)', 'javascript'],
      ['data:text/html,<script>alert(1)</script>', 'data'],
      ['vbscript:msgbox(1)', 'vbscript'],
      ['file:///etc/passwd', 'file'],
      ['blob:https://app.example.com/1234', 'blob'],
    ] as const) {
      assert.equal(redirectUriProblem(uri), `uses the forbidden scheme ${scheme}:`, uri);
    }
  });

  test('refuses a port above 65535, loopback or not, and names it', () => {
    for (const uri of [
      'http://127.0.0.1:65536/cb',
      'http://[::1]:99999/cb',
      'https://app.example.com:70000/cb',
      'com.example.app://host:65536/cb',
    ]) {
      assert.match(redirectUriProblem(uri) ?? '', /port \d+, above 65535/, uri);
    }
    for (const uri of ['http://127.0.0.1:65535/cb', 'http://[::1]:1/cb', 'https://user@app.example.com:443/cb?next=a:99999']) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  test('refuses relative and unparsable URIs', () => {
    for (const uri of ['/cb', 'cb', '//app.example.com/cb', '', 'https://', 'http://[::1/cb']) {
      assert.equal(redirectUriProblem(uri), 'is not an absolute URI', JSON.stringify(uri));
    }
  });

  test('accepts private-use schemes in reverse domain form (RFC 8252 §7.1)', () => {
    for (const uri of ['com.example.app:/oauth2redirect', 'com.example.app:/cb?x=1', 'io.github.user.app://callback']) {
      assert.equal(redirectUriProblem(uri), undefined, uri);
    }
  });

  test('refuses private-use schemes that are not in reverse domain form', () => {
    for (const uri of ['myapp://callback', 'myapp:/cb', 'ftp://files.example.com/cb', 'ws://127.0.0.1/cb']) {
      assert.match(redirectUriProblem(uri) ?? '', /reverse domain form/, uri);
    }
  });
});

describe('redirect URIs are printable ASCII', () => {
  test('raw non-ASCII, spaces and controls are refused at registration', () => {
    for (const uri of ['https://例え.jp/cb', 'https://app.example/c b', 'https://app.example/cb\n', 'https://app.example/\u00e9']) {
      assert.match(redirectUriProblem(uri) ?? '', /printable ASCII/, JSON.stringify(uri));
    }
    assert.equal(redirectUriProblem('https://xn--r8jz45g.jp/cb'), undefined, 'the punycode form is fine');
    assert.equal(redirectUriProblem('https://app.example/%C3%A9'), undefined, 'percent-encoded is fine');
  });
});
