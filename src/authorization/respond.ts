// RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207 §2: the authorization response. Every browser flow ends
// here: `issueCode` is the only place a code is issued and sent, and `authorizationError` the only
// way an error goes back to the client (http/errors.ts writes the redirect).

import type { Accounts } from '../accounts/account.ts';
import type { Config } from '../config/schema.ts';
import { OAuthError, type OAuthErrorCode, pageError } from '../errors.ts';
import { redirect, withQuery } from '../http/respond.ts';
import type { OAuthResponse } from '../http/types.ts';
import { strings } from '../interaction/strings.ts';
import type { Log } from '../log.ts';
import type { AuthorizationParams, ClientStore, CodeStore, GrantStore } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';

/** An error for the client's validated redirect URI, with the request's `state` and our `iss`. */
export function authorizationError(
  p: Pick<AuthorizationParams, 'redirectUri' | 'state'>,
  issuer: string,
  code: OAuthErrorCode,
  description: string,
): OAuthError {
  return new OAuthError(code, description, { destination: { to: 'redirect', redirectUri: p.redirectUri, state: p.state, iss: issuer } });
}

export interface IssueDeps {
  config: Config;
  storage: {
    codes: Pick<CodeStore, 'createWithGrant'>;
    clients: Pick<ClientStore, 'get'>;
    grants: Pick<GrantStore, 'revoke'>;
  };
  accounts: Pick<Accounts, 'findAccount'>;
  clock: () => number;
  log: Log;
}

/** RFC 6749 §4.1.2: issues the code (and its grant) and redirects back to the client with state and iss. */
export async function issueCode(
  p: AuthorizationParams,
  userId: string,
  authTime: number,
  deps: IssueDeps,
  headers: Record<string, string | string[]> = {},
  auth: { amr: string[]; acr: string | null; sid?: string | null } = { amr: ['pwd'], acr: null },
): Promise<OAuthResponse> {
  const { config, clock, storage } = deps;
  const now = clock();
  // RFC 6749 §10.10: at least 128 bits of entropy; 256 here, stored only as SHA-256.
  const code = randomToken();
  const grantId = randomToken(16);
  const client = await storage.clients.get(p.clientId);
  // Disabled or deleted while the person was signing in: no code, and no redirect to it (RFC 6749 §4.1.2.1).
  if (!client || client.disabledAt !== null) throw pageError(400, strings.disabledClient);
  // The grant is kept as long as any token it may produce can live: the refresh tokens' absolute
  // lifetime plus one access token issued at its very end.
  const lifetime = (client.refreshTokenTtl ?? config.ttl.refreshToken) + config.ttl.accessToken;
  await storage.codes.createWithGrant(
    {
      id: grantId,
      clientId: p.clientId,
      userId,
      scope: p.scope,
      authTime,
      createdAt: now,
      expiresAt: now + lifetime,
      revokedAt: null,
      resources: p.resources,
      ...(auth.sid ? { sid: auth.sid } : {}),
      amr: auth.amr,
      acr: auth.acr,
    },
    {
      codeHash: hashToken(code),
      grantId,
      clientId: p.clientId,
      userId,
      redirectUri: p.redirectUriGiven ? p.redirectUri : '',
      codeChallenge: p.codeChallenge,
      scope: p.scope,
      nonce: p.nonce,
      authTime,
      expiresAt: now + config.ttl.code,
      consumedAt: null,
      amr: auth.amr,
      acr: auth.acr,
      dpopJkt: p.dpopJkt ?? null,
    },
  );
  // Checked after the grant exists: disabling or deleting an account changes it first, then revokes
  // its grants, so a grant written meanwhile is either revoked there or refused here.
  const owner = await deps.accounts.findAccount(userId);
  if (!owner || owner.disabled === true) {
    await storage.grants.revoke(grantId, now);
    throw pageError(403, strings.accountDisabled);
  }
  deps.log.info({ event: 'code.issued', client_id: p.clientId, sub: userId }, 'authorization code issued');
  return redirect(withQuery(p.redirectUri, { code, state: p.state, iss: config.issuer }), headers);
}
