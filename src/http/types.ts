// ARCHITECTURE.md rule 2: the framework-free request and response every endpoint takes and returns.
import type { Logger } from 'pino';
import type { OAuthError } from '../errors.ts';

export interface OAuthRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The form body (application/x-www-form-urlencoded), or null when there was none. */
  body: URLSearchParams | null;
  /** A JSON body (application/json), parsed; undefined when there was none. */
  json?: unknown;
  /** The media type of the body, without parameters, lower-case; '' when absent. */
  contentType: string;
  cookies: Readonly<Record<string, string>>;
  /** The client's address: the socket's peer, or X-Forwarded-For when `trustProxy` says so. */
  remoteAddress: string;
  /** Set by the router for paths with a parameter (`/interaction/:id`). */
  pathParam?: string;
  /**
   * Set by the adapter when the request could not be read (bad encoding, too large, too slow): the
   * router answers it in the format of the route, without calling the endpoint.
   */
  rejected?: OAuthError;
  /**
   * @internal The request's own logger (a child carrying its request id), set by the adapter; the
   * routes hand it to the endpoint as `deps.log`.
   */
  log?: Logger;
}

/**
 * A response as the server sends it: every endpoint and page template returns one.
 *
 * @example
 * ```ts
 * import type { OAuthResponse } from 'latchkey/views';
 *
 * const gone: OAuthResponse = { status: 410, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Gone' };
 * ```
 */
export interface OAuthResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
  /** @internal The route that answered (`/login/:id`), set by the router for metrics and logs. */
  route?: string;
}

/** Renders the error page a person sees (the composition root passes the themed template in). */
export type PageRenderer = (status: number, message: string) => OAuthResponse;

/** The request metrics the adapter records (observability/ provides them). */
export interface HttpMetrics {
  requests: { inc(labels: Record<string, string>): void };
  duration: { observe(labels: Record<string, string>, value: number): void };
}
