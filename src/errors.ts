// RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6: the error codes Latchkey returns.

/**
 * Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 8707 §2, RFC 9449 §5 and §8, and
 * OIDC Core §3.1.2.6.
 *
 * @example
 * ```ts
 * import type { OAuthErrorCode } from 'latchkey';
 *
 * const code: OAuthErrorCode = 'invalid_grant';
 * ```
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_target'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'unmet_authentication_requirements'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_dpop_proof'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'use_dpop_nonce'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed';

/**
 * RFC 6749 §5.2: error_description MUST NOT include characters outside %x20-21 / %x23-5B / %x5D-7E,
 * so no `"`, no `\`, no control or non-ASCII character. Every description for a client passes here.
 */
export function safeDescription(description: string): string {
  return description
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Where an error may go. `json` and `page` override the format of the route that answers (a person
 * gets a page, a program JSON); `redirect` sends the error back to the client's redirect URI, and is
 * only ever set once that URI was validated (RFC 6749 §4.1.2.1).
 */
export type ErrorDestination =
  | { to: 'json' }
  | { to: 'problem' }
  | { to: 'page' }
  | {
      to: 'redirect';
      /** The validated redirect URI. */
      redirectUri: string;
      /** RFC 6749 §4.1.2.1: the `state` of the request, returned as sent. */
      state: string | null;
      /** RFC 9207 §2: this server's issuer identifier. */
      iss: string;
    };

export interface OAuthErrorOptions {
  /** Private: logged, never sent. */
  detail?: string;
  status?: number;
  /** Extra response headers (a specific WWW-Authenticate challenge, Retry-After). */
  headers?: Record<string, string>;
  /** Where the error goes; the route's own format when absent. */
  destination?: ErrorDestination;
}

/**
 * The one error type of Latchkey. `description` is public: sent to the client, and then limited to
 * the characters RFC 6749 §5.2 allows, or shown to a person on a page. `detail` is private (logged,
 * never sent). A description never carries request input: a refused value is named, not echoed.
 * Only `http/errors.ts` turns an error into a response.
 *
 * @example
 * ```ts
 * import { OAuthError } from 'latchkey';
 *
 * const error = new OAuthError('invalid_grant', 'the code is invalid, expired or already used', { detail: 'code reused' });
 * error.status; // 400
 * ```
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly detail: string | undefined;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly destination: ErrorDestination | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    // A page is for people (its template escapes it); whatever a client reads is RFC 6749 §5.2 text.
    // Problem details (RFC 7807) are JSON for operators: any character may be escaped there.
    const to = options.destination?.to;
    const text = to === 'page' || to === 'problem' ? description : safeDescription(description);
    super(`${code}: ${text}`);
    this.name = 'OAuthError';
    this.code = code;
    this.description = text;
    this.detail = options.detail;
    this.status = options.status ?? defaultStatus(code);
    this.headers = options.headers ?? {};
    this.destination = options.destination;
  }
}

/** An error shown to a person as a page, whatever the route (the message is for people). */
export function pageError(status: number, message: string, options: Omit<OAuthErrorOptions, 'destination' | 'status'> = {}): OAuthError {
  const code: OAuthErrorCode =
    status === 403 ? 'access_denied' : status === 404 ? 'not_found' : status === 429 ? 'temporarily_unavailable' : 'invalid_request';
  return new OAuthError(code, message, { ...options, status, destination: { to: 'page' } });
}

function defaultStatus(code: OAuthErrorCode): number {
  switch (code) {
    case 'invalid_client':
    case 'invalid_token':
      return 401;
    case 'insufficient_scope':
    case 'access_denied':
      return 403;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'server_error':
      return 500;
    case 'temporarily_unavailable':
      return 503;
    default:
      return 400;
  }
}
