// ARCHITECTURE.md rule 4 and "Errors": the one place any error becomes a response — JSON
// (RFC 6749 §5.2, RFC 6750 §3), problem details (RFC 7807, the admin API), a page for a person, or
// a redirect to a validated redirect URI (RFC 6749 §4.1.2.1, RFC 9207 §2).
import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { OAuthError } from '../errors.ts';
import { json, redirect, withQuery } from './respond.ts';
import type { OAuthResponse, PageRenderer } from './types.ts';

export type ErrorFormat = 'json' | 'page' | 'problem';

/**
 * Turns anything thrown into a response; unexpected errors become server_error and are logged.
 * `format` is the route's own: an error's `destination` overrides it.
 */
export function errorResponse(err: unknown, format: ErrorFormat, log: Logger, renderPage: PageRenderer): OAuthResponse {
  const e = toOAuthError(err, log);
  const destination = e.destination ?? { to: format };
  if (destination.to === 'redirect') {
    // RFC 6749 §4.1.2.1: error, error_description and the state sent; RFC 9207 §2: iss.
    const location = withQuery(destination.redirectUri, {
      error: e.code,
      error_description: e.description,
      state: destination.state,
      iss: destination.iss,
    });
    return redirect(location, { ...e.headers });
  }
  if (destination.to === 'page') {
    const page = renderPage(e.status, e.description);
    // Retry-After, Connection: close and the like apply to pages too; the page keeps its own CSP.
    page.headers = { ...e.headers, ...page.headers };
    return page;
  }
  const headers: Record<string, string> = {};
  if (destination.to === 'problem') {
    if (e.code === 'invalid_token')
      headers['www-authenticate'] = `Bearer error="invalid_token", error_description="${quote(e.description)}"`;
    Object.assign(headers, e.headers, { 'content-type': 'application/problem+json; charset=utf-8' });
    // RFC 7807 §4.2: "about:blank" — the status code says what happened; `error` is an extension member.
    return json(
      e.status,
      { type: 'about:blank', title: STATUS_CODES[e.status] ?? 'Error', status: e.status, detail: e.description, error: e.code },
      headers,
    );
  }
  if (e.code === 'invalid_client') headers['www-authenticate'] = 'Basic realm="latchkey", charset="UTF-8"';
  if (e.code === 'invalid_token' || e.code === 'insufficient_scope') {
    // RFC 6750 §3: the challenge names the error.
    headers['www-authenticate'] = `Bearer error="${e.code}", error_description="${quote(e.description)}"`;
  }
  Object.assign(headers, e.headers);
  return json(e.status, { error: e.code, error_description: e.description }, headers);
}

export function toOAuthError(err: unknown, log: Logger): OAuthError {
  if (err instanceof OAuthError) {
    if (err.detail) log.info({ err_code: err.code, detail: err.detail }, 'request refused');
    return err;
  }
  log.error({ err }, 'unexpected error');
  return new OAuthError('server_error', 'the server met an unexpected condition');
}

/** RFC 6750 §3: values of the challenge are quoted-strings. */
export function quote(s: string): string {
  return s.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '');
}
