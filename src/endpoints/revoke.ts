// RFC 7009: token revocation.
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { hashToken } from '../tokens/opaque.ts';
import { looksLikeJwt, verifyOwnAccessToken } from '../tokens/verify.ts';
import { readClientRequest } from './client-request.ts';

const notYours = () => new OAuthError('unauthorized_client', 'the token was not issued to this client');

export type RevokeDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'log' | 'keys' | 'verifiedTokens' | 'clientKeys'>;

export async function revokeEndpoint(req: OAuthRequest, deps: RevokeDeps): Promise<OAuthResponse> {
  const { params, client } = await readClientRequest(req, deps);
  const token = params.token;
  if (!token) throw new OAuthError('invalid_request', 'token is required');
  const { storage, clock, log } = deps;
  const now = clock();

  // The shape of the token decides what it is; token_type_hint cannot make us treat it otherwise.
  if (looksLikeJwt(token)) {
    const verified = await verifyOwnAccessToken(token, deps);
    if (verified.invalid === undefined) {
      const { claims } = verified;
      // RFC 7009 §2.1: the server verifies the token was issued to the requesting client.
      if (claims.client_id !== client.clientId) throw notYours();
      await storage.revokedTokens.add(claims.jti, claims.exp);
      log.info({ event: 'token.revoked', token_type: 'access_token', client_id: client.clientId }, 'access token revoked');
    }
  } else {
    const record = await storage.refreshTokens.find(hashToken(token));
    if (record) {
      if (record.clientId !== client.clientId) throw notYours();
      // Revoking a refresh token ends its grant: its other refresh tokens and its access tokens.
      await storage.grants.revoke(record.grantId, now);
      log.info(
        { event: 'token.revoked', token_type: 'refresh_token', client_id: client.clientId, grant_id: record.grantId },
        'grant revoked',
      );
    }
  }
  // RFC 7009 §2.2: 200 also for invalid or unknown tokens.
  return json(200, {});
}
