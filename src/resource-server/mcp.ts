// MCP authorization (revisions 2025-06-18, 2025-11-25): Latchkey's verifier in the shape the MCP
// TypeScript SDK's bearer-auth helpers take (`OAuthTokenVerifier`, `AuthInfo`).
import { splitScope } from '../grants/scope.ts';
import type { AccessTokenClaims } from './claims.ts';
import { ResourceServerError } from './errors.ts';
import type { VerifyOptions } from './types.ts';
import { createVerifier } from './verifier.ts';

/**
 * The MCP SDK's `AuthInfo` (v1 `@modelcontextprotocol/sdk/server/auth/types.js`, v2
 * `@modelcontextprotocol/server`), declared here so that this package needs no SDK.
 *
 * @example
 * ```ts
 * import type { McpAuthInfo } from 'latchkey/resource-server';
 *
 * const info: McpAuthInfo = { token: 'eyJ…', clientId: 'inspector', scopes: ['mcp:tools'], expiresAt: 1_900_000_000 };
 * ```
 */
export interface McpAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  /** `exp`, in seconds since the epoch (the SDK refuses a token without it). */
  expiresAt: number;
  /** The audience of the token that this resource accepted (RFC 8707). */
  resource?: URL;
  /** `sub` and every claim of the token. */
  extra?: Record<string, unknown>;
}

/**
 * Turns verified claims into the MCP SDK's `AuthInfo`. `resource` is the first audience of the
 * token that is one of `audience` (this resource's identifiers), or the first audience when
 * `audience` is not given.
 *
 * @example
 * ```ts
 * import { toMcpAuthInfo, verifyAccessToken } from 'latchkey/resource-server';
 *
 * const audience = 'https://mcp.example.com/mcp';
 * const claims = await verifyAccessToken(token, { issuer: 'https://auth.example.com', audience });
 * const info = toMcpAuthInfo(token, claims, audience);
 * info.scopes; // e.g. ['mcp:tools']
 * ```
 */
export function toMcpAuthInfo(token: string, claims: AccessTokenClaims, audience?: string | readonly string[]): McpAuthInfo {
  const audiences = [claims.aud].flat();
  const accepted = audience === undefined ? audiences : audiences.filter((a) => [audience].flat().includes(a));
  const info: McpAuthInfo = {
    token,
    clientId: claims.client_id,
    scopes: splitScope(claims.scope),
    expiresAt: claims.exp,
    extra: { sub: claims.sub, claims },
  };
  const resource = accepted[0];
  if (resource !== undefined && URL.canParse(resource)) info.resource = new URL(resource);
  return info;
}

/**
 * Options of {@link mcpTokenVerifier}: how to verify (as {@link verifyAccessToken}) and how to
 * turn a refusal into the SDK's own error, which its bearer-auth helpers answer with 401 or 403.
 *
 * @example
 * ```ts
 * import type { McpTokenVerifierOptions } from 'latchkey/resource-server';
 *
 * class InvalidTokenError extends Error {} // the SDK's: InvalidTokenError (v1), OAuthError with InvalidToken (v2)
 * const options: McpTokenVerifierOptions = {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   invalidToken: (description) => new InvalidTokenError(description),
 * };
 * ```
 */
export interface McpTokenVerifierOptions extends VerifyOptions {
  /**
   * Builds the error thrown for a refused token (`invalid_token`, `insufficient_scope`): the SDK
   * answers 401 only for its own `InvalidTokenError`. Default: the {@link ResourceServerError} itself.
   */
  invalidToken?: (description: string, error: ResourceServerError) => Error;
}

/**
 * An MCP SDK `OAuthTokenVerifier` backed by Latchkey's verifier: issuer, signature, `exp` and the
 * audience (this MCP server's resource) are checked before the SDK sees the token. Give it to the
 * SDK's `requireBearerAuth({ verifier, requiredScopes, resourceMetadataUrl })`.
 *
 * @throws {TypeError} at once when the options are invalid.
 * @example
 * ```ts
 * import { mcpTokenVerifier } from 'latchkey/resource-server';
 *
 * // import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
 * class InvalidTokenError extends Error {}
 * const verifier = mcpTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   invalidToken: (description) => new InvalidTokenError(description),
 * });
 * // app.post('/mcp', requireBearerAuth({ verifier, requiredScopes: ['mcp:tools'], resourceMetadataUrl }), handler);
 * const info = await verifier.verifyAccessToken(token);
 * ```
 */
export function mcpTokenVerifier(options: McpTokenVerifierOptions): { verifyAccessToken(token: string): Promise<McpAuthInfo> } {
  const { invalidToken, ...verifyOptions } = options;
  const verifier = createVerifier(verifyOptions);
  return {
    async verifyAccessToken(token: string): Promise<McpAuthInfo> {
      try {
        return toMcpAuthInfo(token, await verifier.verify(token), verifyOptions.audience);
      } catch (error) {
        if (error instanceof ResourceServerError && invalidToken) throw invalidToken(error.description, error);
        throw error;
      }
    },
  };
}
