// RFC 7636 (PKCE), with OAuth 2.1 §4.1.1 and RFC 9700 §2.1.1: S256 only, required on every code flow.
import { createHash } from 'node:crypto';
import { OAuthError } from '../errors.ts';
import { constantTimeEqual } from '../tokens/opaque.ts';

/** RFC 7636 §4.1 / §4.2: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Checks the challenge of an authorization request; returns the reason it is refused, if it is. */
export function challengeProblem(challenge: string | undefined, method: string | undefined): string | undefined {
  if (challenge === undefined) return 'code_challenge is required (PKCE, RFC 7636)';
  // RFC 9700 §2.1.1: plain is not to be used; S256 is the only method accepted here.
  if (method !== 'S256') {
    return method === undefined || method === 'plain'
      ? 'code_challenge_method must be S256 (plain is not accepted)'
      : 'code_challenge_method is not supported: use S256';
  }
  // RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters.
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge is not a base64url SHA-256 value';
  return undefined;
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** RFC 7636 §4.6: the server verifies the code_verifier against the stored challenge. */
export function verifyPkce(challenge: string | null, verifier: string | undefined): void {
  if (!challenge) {
    // OAuth 2.1 §7.5.1: a code_verifier for a code issued without a challenge is a downgrade attempt.
    if (verifier !== undefined) throw new OAuthError('invalid_grant', 'code_verifier was sent but the code has no challenge');
    throw new OAuthError('invalid_grant', 'the code was issued without PKCE');
  }
  if (verifier === undefined) throw new OAuthError('invalid_request', 'code_verifier is required');
  if (!PKCE_VALUE.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier is malformed (RFC 7636 section 4.1)');
  if (!constantTimeEqual(s256(verifier), challenge)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
}
