// RFC 8628 §3.4-§3.5: the device authorization grant. The device polls with its device_code until
// the person has decided on the device page (authorization/device.ts); the code is redeemed once.
import { OAuthError } from '../errors.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { splitScope } from './scope.ts';
import { refreshExpiry, userTokens, wantsRefreshToken } from './tokens.ts';
import type { Grant, GrantContext, GrantDeps } from './types.ts';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export const deviceCodeGrant: Grant = {
  // RFC 8628 §3.4.
  params: ['device_code'],
  handle,
};

async function handle(ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse> {
  const { params, client } = ctx;
  const { storage, clock, log, config } = deps;
  if (!params.device_code) throw new OAuthError('invalid_request', 'device_code is required');
  const now = clock();
  const deviceCodeHash = hashToken(params.device_code);
  const polled = await storage.deviceCodes.poll(deviceCodeHash, now);
  if (!polled || polled.record.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'the device_code is invalid', {
      detail: polled ? 'device code of another client' : 'unknown device code',
    });
  }
  const { record, tooFast } = polled;
  // RFC 8628 §3.5: expired_token, access_denied, authorization_pending, slow_down.
  if (record.status === 'consumed') throw new OAuthError('invalid_grant', 'the device_code was already used');
  if (record.expiresAt <= now) throw new OAuthError('expired_token', 'the device_code has expired: start again');
  if (record.status === 'denied') throw new OAuthError('access_denied', 'the user denied the request');
  if (tooFast) {
    throw new OAuthError('slow_down', 'polling too often: the interval grew by 5 seconds', { detail: `interval now ${record.interval}` });
  }
  if (record.status === 'pending') throw new OAuthError('authorization_pending', 'the user has not decided yet');
  const userId = record.userId as string;
  const authTime = record.authTime ?? now;
  const grantId = randomToken(16);
  const grant = {
    id: grantId,
    clientId: client.clientId,
    userId,
    scope: record.scope,
    authTime,
    createdAt: now,
    // As a code's grant (authorization/respond.ts): as long as any token it may produce can live.
    expiresAt: now + (client.refreshTokenTtl ?? config.ttl.refreshToken) + config.ttl.accessToken,
    revokedAt: null,
    resources: record.resources,
    // As a code's grant: a refreshed ID token carries the same amr (OIDC Core §12.2).
    amr: record.amr,
    acr: null,
  };
  // RFC 8628 §3.5 and RFC 6749 §10.5: one redemption, atomically with the grant it creates.
  if (!(await storage.deviceCodes.redeem(deviceCodeHash, grant))) throw new OAuthError('invalid_grant', 'the device_code was already used');
  const scope = splitScope(record.scope);
  const response = await userTokens(
    { client, grantId, userId, scope, resources: record.resources, authTime, nonce: null, dpopJkt: ctx.dpopJkt, amr: record.amr },
    deps,
  );
  if (wantsRefreshToken(client, scope, deps)) {
    const { token, record: rt } = deps.issuer.refreshToken({
      grantId,
      clientId: client.clientId,
      userId,
      scope: record.scope,
      authTime,
      expiresAt: refreshExpiry(client, now, now, deps),
      ...(client.tokenEndpointAuthMethod === 'none' && ctx.dpopJkt ? { dpopJkt: ctx.dpopJkt } : {}),
    });
    await storage.refreshTokens.create(rt);
    response.refresh_token = token;
  }
  log.info({ event: 'token.issued', grant_type: 'device_code', client_id: client.clientId, sub: userId }, 'tokens issued');
  return response;
}
