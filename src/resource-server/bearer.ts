// RFC 6750 §2.1: the Authorization request header field with the Bearer scheme.
import { ResourceServerError } from './errors.ts';

// credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER_CREDENTIALS = /^bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Reads the access token from an `Authorization` header value (RFC 6750 §2.1).
 *
 * The scheme is matched case-insensitively, followed by exactly one space and a b64token.
 * Returns `undefined` when there are no Bearer credentials at all (no header, an empty header or
 * another scheme such as `Basic`): RFC 6750 §3.1 treats that as a request lacking authentication,
 * answered by a challenge without an error code.
 *
 * @throws {ResourceServerError} `invalid_request` (400) when the Bearer credentials are malformed.
 *
 * @example
 * ```ts
 * import { extractBearerToken } from 'latchkey/resource-server';
 *
 * extractBearerToken('Bearer mF_9.B5f-4.1JqM'); // 'mF_9.B5f-4.1JqM'
 * extractBearerToken(undefined); // undefined: no credentials
 * ```
 */
export function extractBearerToken(authorizationHeader: string | undefined): string | undefined {
  if (authorizationHeader === undefined) return undefined;
  const scheme = /^[^ \t]*/.exec(authorizationHeader)?.[0] ?? '';
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const match = BEARER_CREDENTIALS.exec(authorizationHeader);
  if (match?.[1] === undefined) {
    throw new ResourceServerError('invalid_request', 'The Authorization header must be the Bearer scheme, one space and the access token');
  }
  return match[1];
}
