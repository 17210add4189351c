// RFC 6750 §2.1 and §3, RFC 9068 §4, RFC 7662 §2, RFC 9728: the resource-server side of Latchkey.
import type { AccessTokenClaims } from './claims.ts';

export { extractBearerToken } from './bearer.ts';
export type { DpopOptions, DpopRequest } from './dpop.ts';
export { DPOP_ALGORITHMS, dpopChallenge, extractDpopToken } from './dpop.ts';
export type { ChallengeParameters, ResourceServerErrorBody, ResourceServerErrorCode } from './errors.ts';
export { bearerChallenge, ResourceServerError } from './errors.ts';
export { DEFAULT_ALGORITHMS } from './jwt.ts';
export type { McpAuthInfo, McpTokenVerifierOptions } from './mcp.ts';
export { mcpTokenVerifier, toMcpAuthInfo } from './mcp.ts';
export type {
  AccessTokenMiddleware,
  AccessTokenRequest,
  FastifyReply,
  NextFunction,
  NodeResponse,
  RequireAccessTokenOptions,
} from './middleware.ts';
export { requireAccessToken } from './middleware.ts';
export type { ProtectedResourceHandler, ProtectedResourceMetadata, ProtectedResourceOptions } from './protected-resource.ts';
export { protectedResourceHandler, protectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource.ts';
export type { FetchLike, IntrospectionOptions, PerRequestOptions, VerifyOptions } from './types.ts';
export type { Verifier } from './verifier.ts';
export { createVerifier } from './verifier.ts';
export { verifyAccessToken, verifyDpopAccessToken } from './verify-access-token.ts';
export type { AccessTokenClaims };

// `req.auth` is typed in Express and Fastify once this module is imported: `requireAccessToken` sets it.
declare global {
  namespace Express {
    interface Request {
      /** The validated access token's claims, set by `requireAccessToken` (undefined before it ran). */
      auth?: AccessTokenClaims;
    }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated access token's claims, set by `requireAccessToken` (undefined before it ran). */
    auth?: AccessTokenClaims;
  }
}
