// DESIGN rule 2: the framework-free request and response every endpoint takes and returns.

export interface OAuthRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The form body (application/x-www-form-urlencoded), or null when there was none. */
  body: URLSearchParams | null;
  /** The media type of the body, without parameters, lower-case; '' when absent. */
  contentType: string;
  cookies: Readonly<Record<string, string>>;
  remoteAddress: string;
  /** Set by the router for paths with a parameter (`/interaction/:id`). */
  pathParam?: string;
}

export interface OAuthResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
}
