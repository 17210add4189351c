// RFC 6749 §5.1, OIDC Core §3.1.3.3: the tokens of a grant for a user, shared by code and refresh.
import type { ClientRecord } from '../storage/types.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { audience } from './resource.ts';
import type { GrantDeps } from './types.ts';

type TokenDeps = Pick<GrantDeps, 'issuer' | 'config'>;

export interface UserTokensInput {
  client: ClientRecord;
  grantId: string;
  userId: string;
  /** The scope of the access token. */
  scope: string[];
  /** RFC 8707 resources the access token is for (empty: the default audience). */
  resources: string[];
  authTime: number;
  nonce: string | null;
  /** The token response of a refresh (OIDC Core §12.2: it need not carry an ID token). */
  refresh?: boolean;
  /** How the user authenticated (RFC 8176), and the acr asked for: the ID token carries them. */
  amr?: string[];
  acr?: string | null;
}

/**
 * Access token, and an ID token when `openid` is in scope — on a refresh only when `refreshIdToken`
 * is configured (OIDC Core §12.2 allows leaving it out; signing one is most of a refresh's cost).
 * The refresh token is the caller's.
 */
export function userTokens(input: UserTokensInput, deps: TokenDeps): TokenResponse {
  const { issuer, config } = deps;
  const scope = input.scope.join(' ');
  const accessToken = issuer.accessToken({
    clientId: input.client.clientId,
    sub: input.userId,
    scope,
    audience: audience(input.resources, config, input.scope),
    authTime: input.authTime,
    grantId: input.grantId,
  });
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: config.ttl.accessToken,
    scope,
  };
  if (input.scope.includes('openid') && (!input.refresh || config.refreshIdToken)) {
    response.id_token = issuer.idToken({
      clientId: input.client.clientId,
      sub: input.userId,
      authTime: input.authTime,
      nonce: input.nonce,
      accessToken,
      ...(input.amr ? { amr: input.amr } : {}),
      ...(input.acr ? { acr: input.acr } : {}),
    });
  }
  return response;
}

/** When refreshing ends for good: the absolute lifetime, counted from the grant (the sign-in). */
export function refreshAbsoluteEnd(client: ClientRecord, grantCreatedAt: number, deps: Pick<GrantDeps, 'config'>): number {
  return grantCreatedAt + (client.refreshTokenTtl ?? deps.config.ttl.refreshToken);
}

/** A refresh token's expiry: the idle lifetime from now, never past the absolute end. */
export function refreshExpiry(client: ClientRecord, grantCreatedAt: number, now: number, deps: Pick<GrantDeps, 'config'>): number {
  return Math.min(now + (client.refreshTokenIdleTtl ?? deps.config.ttl.refreshTokenIdle), refreshAbsoluteEnd(client, grantCreatedAt, deps));
}

/** Whether this grant gets a refresh token (client allowed, and offline_access or configuration asks). */
export function wantsRefreshToken(client: ClientRecord, scope: readonly string[], deps: Pick<GrantDeps, 'config'>): boolean {
  if (!client.grantTypes.includes('refresh_token')) return false;
  return deps.config.refreshTokens === 'always' || scope.includes('offline_access');
}
