// RFC 6750 §3: the WWW-Authenticate challenge and the error codes of a protected resource.

/**
 * The error codes a protected resource returns, from RFC 6750 §3.1 and RFC 9449 §7.1.
 *
 * @example
 * ```ts
 * import { ResourceServerError, type ResourceServerErrorCode } from 'latchkey/resource-server';
 *
 * const code: ResourceServerErrorCode = 'insufficient_scope';
 * const error = new ResourceServerError(code, 'The token lacks api:write', { scope: 'api:write' });
 * ```
 */
export type ResourceServerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof';

/**
 * JSON body sent with an RFC 6750 §3.1 error response.
 *
 * @example
 * ```ts
 * import { ResourceServerError, type ResourceServerErrorBody } from 'latchkey/resource-server';
 *
 * const body: ResourceServerErrorBody = new ResourceServerError('invalid_token', 'The access token expired').responseBody();
 * // { error: 'invalid_token', error_description: 'The access token expired' }
 * ```
 */
export interface ResourceServerErrorBody {
  error: ResourceServerErrorCode;
  error_description: string;
  scope?: string;
}

const STATUS: Record<ResourceServerErrorCode, number> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_dpop_proof: 401,
};

/**
 * A request to a protected resource was refused (RFC 6750 §3.1).
 *
 * `description` is public and never contains token contents; `cause` is private (for logs only).
 * Any other error thrown while verifying a token (an unreachable JWKS or introspection endpoint, a
 * malformed server response) is not a `ResourceServerError` and means "try again later" (503).
 *
 * @example
 * ```ts
 * import { ResourceServerError, verifyAccessToken } from 'latchkey/resource-server';
 *
 * try {
 *   await verifyAccessToken(token, { issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * } catch (e) {
 *   if (e instanceof ResourceServerError) {
 *     response.writeHead(e.status, { 'www-authenticate': e.wwwAuthenticate('api') }).end(JSON.stringify(e.responseBody()));
 *   } else {
 *     response.writeHead(503).end(); // the authorization server could not be reached
 *   }
 * }
 * ```
 */
export class ResourceServerError extends Error {
  readonly code: ResourceServerErrorCode;
  readonly status: number;
  readonly description: string;
  /** The scope needed to access the resource; only for `insufficient_scope`. */
  readonly scope: string | undefined;

  constructor(code: ResourceServerErrorCode, description: string, options: { scope?: string | undefined; cause?: unknown } = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ResourceServerError';
    this.code = code;
    this.status = STATUS[code];
    this.description = description;
    this.scope = code === 'insufficient_scope' ? options.scope : undefined;
  }

  /**
   * The `WWW-Authenticate` response header value for this error (RFC 6750 §3), e.g.
   * `Bearer realm="api", error="invalid_token", error_description="The access token expired"`.
   * With `challenge.resourceMetadata`, the RFC 9728 §5.1 `resource_metadata` parameter is added;
   * `challenge.scope` gives the `scope` of an `invalid_token` challenge (MCP: the scopes needed).
   */
  wwwAuthenticate(realm?: string, challenge: ChallengeParameters = {}): string {
    const params: string[] = [];
    if (realm !== undefined) params.push(`realm=${quote(realm)}`);
    params.push(`error=${quote(this.code)}`);
    params.push(`error_description=${quote(attributeChars(this.description))}`);
    const scope = this.scope ?? (this.code === 'invalid_token' ? challenge.scope : undefined);
    if (scope) params.push(`scope=${quote(attributeChars(scope))}`);
    if (challenge.resourceMetadata !== undefined) params.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
    return `Bearer ${params.join(', ')}`;
  }

  /** The JSON response body for this error (RFC 6750 §3.1 codes, RFC 6749 §5.2 member names). */
  responseBody(): ResourceServerErrorBody {
    const body: ResourceServerErrorBody = { error: this.code, error_description: this.description };
    if (this.scope !== undefined) body.scope = this.scope;
    return body;
  }
}

/**
 * What a challenge tells the client besides the error (RFC 9728 §5.1; MCP authorization,
 * "Protected Resource Metadata Discovery" and "Scope Selection Strategy").
 *
 * @example
 * ```ts
 * import { bearerChallenge, type ChallengeParameters } from 'latchkey/resource-server';
 *
 * const challenge: ChallengeParameters = {
 *   resourceMetadata: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
 *   scope: 'mcp:tools',
 * };
 * bearerChallenge(undefined, challenge);
 * // 'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"'
 * ```
 */
export interface ChallengeParameters {
  /** The URL of this resource's RFC 9728 metadata, sent as `resource_metadata`. */
  resourceMetadata?: string | undefined;
  /** Space-delimited scopes the request needs, sent as `scope` (RFC 6750 §3). */
  scope?: string | undefined;
}

/**
 * The challenge for a request that carried no token at all: no error code, per RFC 6750 §3.1
 * ("If the request lacks any authentication information … SHOULD NOT include an error code").
 * With `challenge`, it carries `resource_metadata` (RFC 9728 §5.1) and the `scope` needed.
 *
 * @example
 * ```ts
 * import { bearerChallenge } from 'latchkey/resource-server';
 *
 * bearerChallenge('api'); // 'Bearer realm="api"'
 * ```
 */
export function bearerChallenge(realm?: string, challenge: ChallengeParameters = {}): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm=${quote(realm)}`);
  if (challenge.resourceMetadata !== undefined) params.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
  if (challenge.scope) params.push(`scope=${quote(attributeChars(challenge.scope))}`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/** RFC 9110 §5.6.4 quoted-string; control and non-ASCII characters are dropped so the header stays valid. */
function quote(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
}

// RFC 6750 §3: error_description and scope are limited to %x20-21 / %x23-5B / %x5D-7E.
function attributeChars(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}
