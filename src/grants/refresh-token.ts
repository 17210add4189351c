// RFC 6749 §6 and OAuth 2.1 §4.3 / RFC 9700 §4.14.2: refreshing, with rotation and reuse detection.
import { OAuthError } from '../errors.ts';
import type { GrantRecord, RefreshTokenRecord } from '../storage/types.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { hashToken } from '../tokens/opaque.ts';
import { open, seal } from '../tokens/successor.ts';
import { narrowResources } from './resource.ts';
import { isSubset, splitScope } from './scope.ts';
import { refreshAbsoluteEnd, refreshExpiry, userTokens } from './tokens.ts';
import type { Grant, GrantContext, GrantDeps } from './types.ts';

const refused = (detail: string) => new OAuthError('invalid_grant', 'the refresh token is invalid, expired or revoked', { detail });

export const refreshTokenGrant: Grant = {
  // RFC 6749 §6.
  params: ['refresh_token', 'scope'],
  handle,
};

async function handle(ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  const { params, client, dpopJkt } = ctx;
  const { storage, clock, log } = deps;
  const presented = params.refresh_token;
  if (!presented) throw new OAuthError('invalid_request', 'refresh_token is required');
  const now = clock();
  const tokenHash = hashToken(presented);
  // The token and its grant in one read.
  const found = await storage.refreshTokens.findWithGrant(tokenHash);
  if (!found) throw refused('unknown refresh token');
  const { token: old, grant } = found;
  // RFC 6749 §6: the refresh token MUST be bound to the client it was issued to.
  if (old.clientId !== client.clientId) throw refused(`refresh token of client ${old.clientId} presented by ${client.clientId}`);
  // RFC 9449 §5: a bound refresh token is used only with a proof of the same key.
  if (old.dpopJkt && old.dpopJkt !== dpopJkt) {
    throw new OAuthError('invalid_dpop_proof', 'the refresh token is bound to a DPoP key: send a proof of that key', {
      detail: `refresh token of ${client.clientId} presented ${dpopJkt ? 'with another key' : 'without a DPoP proof'}`,
    });
  }
  if (old.consumedAt !== null) return replayOrRevoke(old, presented, ctx, deps);
  if (old.expiresAt <= now) {
    // The reason is logged, never sent (RFC 6749 §5.2 only says invalid_grant).
    throw refused(
      !grant || refreshAbsoluteEnd(client, grant.createdAt, deps) <= now ? 'absolute lifetime reached' : 'idle lifetime reached',
    );
  }
  if (!grant || grant.revokedAt !== null) throw refused('grant revoked');
  const response = await tokensFor(old, grant, ctx, deps);
  const { token, record } = deps.issuer.refreshToken({
    grantId: old.grantId,
    clientId: client.clientId,
    userId: old.userId,
    // RFC 6749 §6: a new refresh token has the scope of the one it replaces.
    scope: old.scope,
    authTime: old.authTime,
    expiresAt: refreshExpiry(client, grant.createdAt, now, deps),
    ...(old.dpopJkt ? { dpopJkt: old.dpopJkt } : {}),
  });
  response.refresh_token = token;
  // Consuming, storing the successor and sealing it for a retry is one transaction. Only the
  // successor refresh token is sealed: a retry gets new access and ID tokens (replayOrRevoke).
  const successor = deps.config.ttl.refreshGrace > 0 ? seal(presented, { refresh_token: token } satisfies Sealed) : null;
  if (!(await storage.refreshTokens.rotate(tokenHash, record, now, successor))) {
    // Another presentation of the same token won the race: answer as it was answered, or revoke.
    const winner = await storage.refreshTokens.find(tokenHash);
    if (!winner) throw refused('refresh token vanished during rotation');
    return replayOrRevoke(winner, presented, ctx, deps);
  }
  log.info({ event: 'token.issued', grant_type: 'refresh_token', client_id: client.clientId, sub: old.userId }, 'tokens refreshed');
  return response;
}

/** What a rotated token's row seals for a retry: its successor; rows rotated by earlier versions hold the whole answer. */
type Sealed = { refresh_token: string } | TokenResponse;

/** The access token, and the ID token when due, of a refresh of `old` (RFC 6749 §6). */
async function tokensFor(old: RefreshTokenRecord, grant: GrantRecord, ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  const { params, resources, client, dpopJkt } = ctx;
  const audienceResources = narrowResources(resources, grant.resources, deps.config);
  const granted = splitScope(old.scope);
  const requested = params.scope === undefined ? granted : splitScope(params.scope);
  // RFC 6749 §6: the requested scope MUST NOT include any scope not originally granted.
  if (!isSubset(requested, granted)) throw new OAuthError('invalid_scope', 'the scope exceeds what was granted');
  return userTokens(
    {
      client,
      grantId: old.grantId,
      userId: old.userId,
      scope: requested,
      resources: audienceResources,
      authTime: old.authTime,
      nonce: null,
      refresh: true,
      dpopJkt,
      sid: grant.sid,
      // OIDC Core §12.2: the refreshed ID token describes the original authentication.
      amr: grant.amr,
      acr: grant.acr,
    },
    deps,
  );
}

/**
 * A consumed refresh token presented again. Within the grace window, and while its successor is
 * still unused, the same successor refresh token comes back, with new access and ID tokens
 * (multi-tab apps, a retry after a lost response). Otherwise — later, or an older token of the
 * chain — it is reuse, and RFC 9700 §4.14.2 applies: the whole grant is revoked.
 */
async function replayOrRevoke(old: RefreshTokenRecord, presented: string, ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  const { storage, clock, log, config } = deps;
  const now = clock();
  if (old.successor && old.replacedBy && old.consumedAt !== null && now - old.consumedAt <= config.ttl.refreshGrace) {
    const [next, grant] = await Promise.all([storage.refreshTokens.find(old.replacedBy), storage.grants.get(old.grantId)]);
    const sealed = next?.consumedAt === null && grant?.revokedAt === null ? open<Sealed>(presented, old.successor) : undefined;
    if (sealed && grant) {
      // A row sealed by an earlier version holds the whole answer: it is returned as it was.
      const response = 'access_token' in sealed ? sealed : await successorAnswer(old, sealed.refresh_token, grant, ctx, deps);
      if (response) {
        log.info(
          { event: 'refresh.replayed', client_id: old.clientId, grant_id: old.grantId },
          'refresh token presented again within the grace window',
        );
        return response;
      }
    }
  }
  await storage.grants.revoke(old.grantId, now);
  log.warn({ event: 'refresh.reuse', client_id: old.clientId, grant_id: old.grantId }, 'refresh token reused: grant revoked');
  throw refused('reuse of a rotated refresh token');
}

/** The answer to a retry: new tokens, and the successor refresh token, when it is the one the row names. */
async function successorAnswer(
  old: RefreshTokenRecord,
  successor: string,
  grant: GrantRecord,
  ctx: GrantContext,
  deps: GrantDeps,
): Promise<TokenResponse | undefined> {
  if (hashToken(successor) !== old.replacedBy) return undefined;
  const response = await tokensFor(old, grant, ctx, deps);
  response.refresh_token = successor;
  return response;
}
