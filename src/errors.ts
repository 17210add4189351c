// RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; OIDC Core §3.1.2.6: the error codes Latchkey returns.

/** Error codes from RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 8707 §2 and OIDC Core §3.1.2.6. */
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
 * RFC 6749 §5.2: error_description MUST NOT include characters outside %x20-21 / %x23-5B / %x5D-7E,
 * so no `"`, no `\`, no control or non-ASCII character. Every description passes through here.
 */
export function safeDescription(description: string): string {
  return description
    .replaceAll('"', "'")
    .replaceAll('\\', '/')
    .replace(/[^\x20-\x7e]/g, '?');
}

/**
 * The one error type of Latchkey. `description` is public (sent to the client, and limited to the
 * characters RFC 6749 §5.2 allows); `detail` is private (logged, never sent). A description never
 * carries request input: a refused value is named, not echoed.
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
    const safe = safeDescription(description);
    super(`${code}: ${safe}`);
    this.name = 'OAuthError';
    this.code = code;
    this.description = safe;
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
