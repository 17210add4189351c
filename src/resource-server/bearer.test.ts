// RFC 6750 §2.1 and §3: Bearer credentials and challenges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractBearerToken } from './bearer.ts';
import { bearerChallenge, ResourceServerError } from './errors.ts';

describe('extractBearerToken (RFC 6750 §2.1)', () => {
  it('returns the b64token after the case-insensitive scheme', () => {
    assert.equal(extractBearerToken('Bearer abc.DEF-123_~+/=='), 'abc.DEF-123_~+/==');
    assert.equal(extractBearerToken('bearer tok'), 'tok');
    assert.equal(extractBearerToken('BEARER tok'), 'tok');
  });

  it('returns undefined when there are no Bearer credentials', () => {
    assert.equal(extractBearerToken(undefined), undefined);
    assert.equal(extractBearerToken(''), undefined);
    assert.equal(extractBearerToken('Basic dXNlcjpwYXNz'), undefined);
    assert.equal(extractBearerToken('Bearertok'), undefined);
  });

  for (const header of [
    'Bearer',
    'Bearer ',
    'Bearer  tok',
    'Bearer tok ',
    'Bearer a b',
    'Bearer\ttok',
    'Bearer tök',
    'Bearer =abc',
    'Bearer a=b',
    'Bearer "tok"',
  ]) {
    it(`refuses ${JSON.stringify(header)} with invalid_request 400`, () => {
      assert.throws(
        () => extractBearerToken(header),
        (error: unknown) => error instanceof ResourceServerError && error.code === 'invalid_request' && error.status === 400,
      );
    });
  }
});

describe('ResourceServerError challenges (RFC 6750 §3)', () => {
  it('maps codes to statuses', () => {
    assert.equal(new ResourceServerError('invalid_request', 'x').status, 400);
    assert.equal(new ResourceServerError('invalid_token', 'x').status, 401);
    assert.equal(new ResourceServerError('insufficient_scope', 'x').status, 403);
  });

  it('formats an invalid_token challenge with realm', () => {
    const error = new ResourceServerError('invalid_token', 'The access token expired');
    assert.equal(
      error.wwwAuthenticate('example'),
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    );
    assert.equal(error.wwwAuthenticate(), 'Bearer error="invalid_token", error_description="The access token expired"');
    assert.deepEqual(error.responseBody(), { error: 'invalid_token', error_description: 'The access token expired' });
  });

  it('adds the needed scope for insufficient_scope only', () => {
    const error = new ResourceServerError('insufficient_scope', 'Needs more', { scope: 'read write' });
    assert.equal(
      error.wwwAuthenticate('api'),
      'Bearer realm="api", error="insufficient_scope", error_description="Needs more", scope="read write"',
    );
    assert.deepEqual(error.responseBody(), { error: 'insufficient_scope', error_description: 'Needs more', scope: 'read write' });
    assert.equal(new ResourceServerError('invalid_token', 'x', { scope: 'read' }).scope, undefined);
  });

  it('escapes quotes and backslashes and drops control characters', () => {
    assert.equal(bearerChallenge('a "quoted" \\ realm\r\nX-Injected: 1'), 'Bearer realm="a \\"quoted\\" \\\\ realmX-Injected: 1"');
    const error = new ResourceServerError('invalid_token', 'bad "value"\n\\ é');
    assert.equal(error.wwwAuthenticate(), 'Bearer error="invalid_token", error_description="bad value "');
  });

  it('gives a bare challenge for a request without a token (§3.1)', () => {
    assert.equal(bearerChallenge('api'), 'Bearer realm="api"');
    assert.equal(bearerChallenge(), 'Bearer');
  });
});
