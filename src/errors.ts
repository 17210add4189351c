// RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6: the error codes Latchkey returns.

/**
 * Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 8707 §2 and OIDC Core §3.1.2.6.
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
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'not_found'
  | 'method_not_allowed';

/**
 * The one error type of Latchkey. `description` is public (sent to the client);
 * `detail` is private (logged, never sent).
 *
 * @example
 * ```ts
 * import { OAuthError } from 'latchkey';
 *
 * const error = new OAuthError('invalid_request', 'The redirect_uri parameter is missing');
 * error.status; // 400
 * ```
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly detail: string | undefined;
  readonly status: number;
  /** Extra response headers (a specific WWW-Authenticate challenge, say). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: OAuthErrorCode,
    description: string,
    options: { detail?: string; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.detail = options.detail;
    this.status = options.status ?? defaultStatus(code);
    this.headers = options.headers ?? {};
  }
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
    case 'server_error':
      return 500;
    case 'temporarily_unavailable':
      return 503;
    default:
      return 400;
  }
}
