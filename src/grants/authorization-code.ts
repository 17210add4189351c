// RFC 6749 §4.1.3 / OAuth 2.1 §4.1.3: exchanging an authorization code for tokens.
import { OAuthError } from '../errors.ts';
import type { CodeRecord, RefreshTokenRecord } from '../storage/types.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { hashToken } from '../tokens/opaque.ts';
import { verifyPkce } from './pkce.ts';
import { narrowResources } from './resource.ts';
import { splitScope } from './scope.ts';
import { refreshExpiry, userTokens, wantsRefreshToken } from './tokens.ts';
import type { Grant, GrantContext, GrantDeps } from './types.ts';

const refused = (detail: string) => new OAuthError('invalid_grant', 'the code is invalid, expired or already used', { detail });

export const authorizationCodeGrant: Grant = {
  // RFC 6749 §4.1.3 and RFC 7636 §4.5.
  params: ['code', 'redirect_uri', 'code_verifier'],
  handle,
};

async function handle(ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  const { params, resources, client } = ctx;
  const { storage, clock, log } = deps;
  const code = params.code;
  if (!code) throw new OAuthError('invalid_request', 'code is required');
  const now = clock();
  const codeHash = hashToken(code);
  // The code and its grant in one read; the code is consumed, with the refresh token stored, only
  // once every check has passed and the tokens are signed (one transaction, below).
  const found = await storage.codes.findWithGrant(codeHash);
  if (!found) throw refused('unknown code');
  const { code: record, grant } = found;
  if (record.consumedAt !== null) return reused(record, now, deps);
  // RFC 6749 §4.1.3: ensure the code was issued to the authenticated client.
  if (record.clientId !== client.clientId) {
    await storage.grants.revoke(record.grantId, now);
    throw refused(`code of client ${record.clientId} presented by ${client.clientId}`);
  }
  if (record.expiresAt <= now) throw refused('code expired');
  // RFC 6749 §4.1.3: redirect_uri MUST be identical when it was included in the authorization request.
  if (record.redirectUri !== '' && params.redirect_uri !== record.redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  }
  if (record.redirectUri === '' && params.redirect_uri !== undefined && !client.redirectUris.includes(params.redirect_uri)) {
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  }
  verifyPkce(record.codeChallenge, params.code_verifier);
  // RFC 9449 §10: when the proof's key does not match dpop_jkt the server MUST reject the request (the code is the invalid grant).
  if (record.dpopJkt && ctx.dpopJkt !== record.dpopJkt) {
    throw new OAuthError('invalid_grant', 'the DPoP proof does not use the key the authorization request named (dpop_jkt)', {
      detail: ctx.dpopJkt ? 'dpop_jkt mismatch' : 'no DPoP proof for a code bound by dpop_jkt',
    });
  }
  if (!grant || grant.revokedAt !== null) throw refused('grant revoked');

  const scope = splitScope(record.scope);
  const response = await userTokens(
    {
      client,
      grantId: record.grantId,
      userId: record.userId,
      scope,
      resources: narrowResources(resources, grant.resources, deps.config),
      authTime: record.authTime,
      nonce: record.nonce,
      dpopJkt: ctx.dpopJkt,
      amr: record.amr,
      acr: record.acr,
      sid: grant.sid,
    },
    deps,
  );
  let refresh: RefreshTokenRecord | null = null;
  if (wantsRefreshToken(client, scope, deps)) {
    const { token, record: rt } = deps.issuer.refreshToken({
      grantId: record.grantId,
      clientId: client.clientId,
      userId: record.userId,
      scope: record.scope,
      authTime: record.authTime,
      expiresAt: refreshExpiry(client, grant.createdAt, now, deps),
      // RFC 9449 §5: a public client's refresh token is bound to its DPoP key.
      ...(client.tokenEndpointAuthMethod === 'none' && ctx.dpopJkt ? { dpopJkt: ctx.dpopJkt } : {}),
    });
    refresh = rt;
    response.refresh_token = token;
  }
  // Another presentation of the same code consumed it since the read: this one is the reuse.
  if (!(await storage.codes.redeem(codeHash, now, refresh))) return reused(record, now, deps);
  log.info({ event: 'token.issued', grant_type: 'authorization_code', client_id: client.clientId, sub: record.userId }, 'tokens issued');
  return response;
}

/** RFC 6749 §4.1.2 / §10.5: a code used twice revokes every token issued from it. */
async function reused(record: CodeRecord, now: number, deps: GrantDeps): Promise<never> {
  await deps.storage.grants.revoke(record.grantId, now);
  deps.log.warn({ event: 'code.reuse', client_id: record.clientId, grant_id: record.grantId }, 'authorization code reused: grant revoked');
  throw refused('code reused');
}
