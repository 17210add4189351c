// RFC 6749 §5.1, OIDC Core §3.1.3.3: the tokens of a grant for a user, shared by code and refresh.
import type { ClientRecord } from '../storage/types.ts';
import { type ClaimsContext, extraClaims, wantsExtraClaims } from '../tokens/claims.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { audience } from './resource.ts';
import type { GrantDeps } from './types.ts';

type TokenDeps = Pick<GrantDeps, 'issuer' | 'config' | 'accounts' | 'claimsHook'>;

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
  /** RFC 9449 §5: the DPoP key the access token is bound to. */
  dpopJkt?: string | null | undefined;
  /**
   * How the user authenticated (RFC 8176), and the acr asked for: the ID token carries them. A record
   * written before they were kept has an empty amr: the issuer leaves the claim out (tokens/issuer.ts).
   */
  amr?: string[] | undefined;
  acr?: string | null | undefined;
  /** OIDC Back-Channel Logout 1.0 §2.4: the session the grant was issued in, for the ID token's `sid`. */
  sid?: string | null | undefined;
}

/**
 * Access token, and an ID token when `openid` is in scope — on a refresh only when `refreshIdToken`
 * is configured (OIDC Core §12.2 allows leaving it out; signing one is most of a refresh's cost).
 * The refresh token is the caller's.
 */
export async function userTokens(input: UserTokensInput, deps: TokenDeps): Promise<TokenResponse> {
  const { issuer, config } = deps;
  const scope = input.scope.join(' ');
  const withId = input.scope.includes('openid') && (!input.refresh || config.refreshIdToken);
  const extra = await userExtraClaims(input, deps, withId);
  const accessToken = issuer.accessToken({
    extra: extra.access,
    clientId: input.client.clientId,
    sub: input.userId,
    scope,
    audience: audience(input.resources, config, input.scope),
    authTime: input.authTime,
    grantId: input.grantId,
    jkt: input.dpopJkt ?? null,
  });
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: input.dpopJkt ? 'DPoP' : 'Bearer',
    expires_in: config.ttl.accessToken,
    scope,
  };
  if (withId) {
    response.id_token = await issuer.idToken({
      extra: extra.id,
      clientId: input.client.clientId,
      sub: input.userId,
      authTime: input.authTime,
      nonce: input.nonce,
      accessToken,
      ...(input.amr ? { amr: input.amr } : {}),
      ...(input.acr ? { acr: input.acr } : {}),
      ...(input.sid ? { sid: input.sid } : {}),
    });
  }
  return response;
}

/** The extra claims of the access token and the ID token (tokens/claims.ts); none unless configured. */
async function userExtraClaims(
  input: UserTokensInput,
  deps: TokenDeps,
  withId: boolean,
): Promise<{ access: Record<string, unknown>; id: Record<string, unknown> }> {
  if (!wantsExtraClaims(deps)) return { access: {}, id: {} };
  const context: ClaimsContext = {
    token: 'access_token',
    grantType: input.refresh ? 'refresh_token' : 'authorization_code',
    clientId: input.client.clientId,
    sub: input.userId,
    account: await deps.accounts?.findAccount(input.userId),
    scope: input.scope,
    resources: input.resources,
  };
  const access = await extraClaims(context, deps);
  const id = withId ? await extraClaims({ ...context, token: 'id_token' }, deps) : {};
  return { access, id };
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
