// RFC 6749 §4.4: the client credentials grant, for confidential clients acting on their own behalf.
import { OAuthError } from '../errors.ts';
import { extraClaims } from '../tokens/claims.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { audience, checkResources } from './resource.ts';
import { isSubset, splitScope } from './scope.ts';
import type { Grant, GrantContext, GrantDeps } from './types.ts';

/** Scopes about a person make no sense without one. */
const USER_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export const clientCredentialsGrant: Grant = {
  // RFC 6749 §4.4.2.
  params: ['scope'],
  handle,
};

async function handle({ params, resources, client, dpopJkt }: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  // RFC 6749 §4.4: the client credentials grant type MUST only be used by confidential clients.
  if (client.tokenEndpointAuthMethod === 'none') {
    throw new OAuthError('unauthorized_client', 'a public client cannot use the client credentials grant');
  }
  const allowed = splitScope(client.scope).filter((s) => !USER_SCOPES.includes(s));
  const requested = params.scope === undefined ? allowed : splitScope(params.scope);
  if (!isSubset(requested, allowed)) throw new OAuthError('invalid_scope', 'a requested scope is not allowed for this client');
  const scope = requested.join(' ');
  const resourcesAsked = checkResources(resources, client, deps.config);
  const extra = deps.claimsHook
    ? await extraClaims(
        {
          token: 'access_token',
          grantType: 'client_credentials',
          clientId: client.clientId,
          sub: client.clientId,
          account: undefined,
          scope: requested,
          resources: resourcesAsked,
        },
        deps,
      )
    : {};
  const accessToken = deps.issuer.accessToken({
    extra,
    clientId: client.clientId,
    // RFC 9068 §2.2: with no resource owner, sub is the client.
    sub: client.clientId,
    scope,
    audience: audience(resourcesAsked, deps.config),
    authTime: null,
    grantId: null,
    jkt: dpopJkt ?? null,
  });
  deps.log.info({ event: 'token.issued', grant_type: 'client_credentials', client_id: client.clientId }, 'token issued');
  // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included.
  return { access_token: accessToken, token_type: dpopJkt ? 'DPoP' : 'Bearer', expires_in: deps.config.ttl.accessToken, scope };
}
