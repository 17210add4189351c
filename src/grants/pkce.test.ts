import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { challengeProblem, s256, verifyPkce } from './pkce.ts';

// RFC 7636 Appendix B.
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function oauthError(code: string, pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof OAuthError, `expected an OAuthError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (pattern) assert.match(e.description, pattern);
    return true;
  };
}

describe('s256', () => {
  test('matches the RFC 7636 Appendix B example', () => {
    assert.equal(s256(RFC_VERIFIER), RFC_CHALLENGE);
  });

  test('is base64url without padding of the SHA-256 of the verifier', () => {
    const verifier = 'a'.repeat(128);
    const expected = createHash('sha256')
      .update(verifier, 'ascii')
      .digest('base64')
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    assert.equal(s256(verifier), expected);
    assert.equal(s256(verifier).length, 43);
  });
});

describe('challengeProblem', () => {
  test('accepts a well-formed S256 challenge', () => {
    assert.equal(challengeProblem(RFC_CHALLENGE, 'S256'), undefined);
  });

  test('refuses a missing challenge', () => {
    assert.match(challengeProblem(undefined, 'S256') ?? '', /code_challenge is required/);
    assert.match(challengeProblem(undefined, undefined) ?? '', /code_challenge is required/);
  });

  test('refuses the plain method, explicit or implied by omission', () => {
    assert.match(challengeProblem(RFC_CHALLENGE, 'plain') ?? '', /must be S256/);
    // RFC 7636 §4.3: an absent method means plain.
    assert.match(challengeProblem(RFC_CHALLENGE, undefined) ?? '', /must be S256/);
  });

  test('refuses an unknown method, including a different case of S256', () => {
    for (const method of ['S512', 's256', 'RS256', '']) {
      assert.match(challengeProblem(RFC_CHALLENGE, method) ?? '', /not supported/, method);
    }
  });

  test('refuses a challenge that is not 43 base64url characters', () => {
    const malformed = [
      '',
      RFC_CHALLENGE.slice(0, 42),
      `${RFC_CHALLENGE}A`,
      `${RFC_CHALLENGE.slice(0, 42)}=`,
      `${RFC_CHALLENGE}=`,
      RFC_CHALLENGE.replace('-', '+'),
      RFC_CHALLENGE.replace('E', '/'),
      RFC_CHALLENGE.replace('E', '.'),
      RFC_CHALLENGE.replace('E', ' '),
    ];
    for (const challenge of malformed) {
      assert.match(challengeProblem(challenge, 'S256') ?? '', /not a base64url SHA-256 value/, JSON.stringify(challenge));
    }
  });
});

describe('verifyPkce', () => {
  test('accepts the verifier that produced the challenge', () => {
    assert.doesNotThrow(() => verifyPkce(RFC_CHALLENGE, RFC_VERIFIER));
  });

  test('accepts verifiers of 43 and 128 characters using every unreserved character', () => {
    const v43 = `-._~${'A'.repeat(39)}`;
    const v128 = `${'z9'.repeat(62)}-._~`;
    assert.equal(v43.length, 43);
    assert.equal(v128.length, 128);
    assert.doesNotThrow(() => verifyPkce(s256(v43), v43));
    assert.doesNotThrow(() => verifyPkce(s256(v128), v128));
  });

  test('refuses a verifier that does not match with invalid_grant', () => {
    const other = `${RFC_VERIFIER.slice(0, -1)}A`;
    assert.notEqual(other, RFC_VERIFIER);
    assert.throws(() => verifyPkce(RFC_CHALLENGE, other), oauthError('invalid_grant', /does not match/));
  });

  test('refuses a missing verifier when the code has a challenge', () => {
    assert.throws(() => verifyPkce(RFC_CHALLENGE, undefined), oauthError('invalid_request', /code_verifier is required/));
  });

  test('refuses a malformed verifier before comparing it', () => {
    const malformed = [
      '',
      'a'.repeat(42),
      'a'.repeat(129),
      `${RFC_VERIFIER.slice(0, -1)}+`,
      `${RFC_VERIFIER.slice(0, -1)}=`,
      `${RFC_VERIFIER.slice(0, -1)} `,
      `${RFC_VERIFIER.slice(0, -1)}é`,
    ];
    for (const verifier of malformed) {
      assert.throws(() => verifyPkce(s256(verifier), verifier), oauthError('invalid_grant', /malformed/), JSON.stringify(verifier));
    }
  });

  test('refuses a verifier sent for a code issued without a challenge (downgrade)', () => {
    assert.throws(() => verifyPkce(null, RFC_VERIFIER), oauthError('invalid_grant', /no challenge/));
    assert.throws(() => verifyPkce('', RFC_VERIFIER), oauthError('invalid_grant', /no challenge/));
  });

  test('refuses a code issued without a challenge even without a verifier', () => {
    assert.throws(() => verifyPkce(null, undefined), oauthError('invalid_grant', /without PKCE/));
  });

  test('does not accept the verifier itself as a plain challenge', () => {
    assert.throws(() => verifyPkce(RFC_VERIFIER, RFC_VERIFIER), oauthError('invalid_grant', /does not match/));
  });
});
