// RFC 6750 §2.1 and §3.1, RFC 9068 §4: who may call the admin API — a client acting on its own behalf
// (client credentials, however it authenticated) with an access token issued for the admin API's
// audience and one of its scopes. Browser sessions (cookies) are never looked at.
import type { Config } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import type { OAuthRequest } from '../http/types.ts';
import type { ClientStore, RevokedTokenStore } from '../storage/types.ts';
import { audiences, notRevoked, type VerifyDeps, verifyOwnAccessToken } from '../tokens/verify.ts';

/** Where the admin API lives, below the issuer. */
export const ADMIN_PATH = '/admin/v1';
/** Every call. */
export const ADMIN_SCOPE = 'latchkey:admin';
/** Calls that change nothing. */
export const ADMIN_READ_SCOPE = 'latchkey:admin:read';

/** The audience (RFC 8707 resource) of admin tokens: the API's own URL, never the default audience. */
export function adminAudience(config: Pick<Config, 'issuer'>): string {
  return `${config.issuer}${ADMIN_PATH}`;
}

export type AdminAuthDeps = VerifyDeps & {
  config: Pick<Config, 'issuer'>;
  storage: { revokedTokens: Pick<RevokedTokenStore, 'isRevoked'>; clients: Pick<ClientStore, 'get'> };
};

/** The client calling, once its token and scope are checked. */
export interface AdminCaller {
  clientId: string;
  scopes: string[];
}

const bearerChallenge = { 'www-authenticate': 'Bearer realm="latchkey-admin"' };

function invalidToken(description: string, detail?: string): OAuthError {
  return new OAuthError('invalid_token', description, { status: 401, ...(detail ? { detail } : {}) });
}

/**
 * Authenticates the call; `write` asks for the full scope, otherwise the read-only scope suffices.
 * Throws 401 (no, bad, revoked or foreign token) or 403 (not a client acting for itself, or a scope missing).
 * `onCaller` learns the client as soon as its token is verified, so that a refused call is audited with it.
 */
export async function authenticateAdmin(
  req: OAuthRequest,
  deps: AdminAuthDeps,
  write: boolean,
  onCaller: (clientId: string) => void,
): Promise<AdminCaller> {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer ([\w.~+/-]+=*)$/i.exec(header);
  // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
  if (!match?.[1])
    throw new OAuthError('invalid_token', 'an access token is required (Authorization: Bearer)', { status: 401, headers: bearerChallenge });
  const verified = await verifyOwnAccessToken(match[1], deps);
  if (verified.invalid !== undefined) throw invalidToken('the access token is invalid or expired', verified.invalid);
  const { claims } = verified;
  onCaller(claims.client_id);
  // RFC 9068 §4: the resource server MUST check that aud names it.
  if (!audiences(claims).includes(adminAudience(deps.config))) {
    throw invalidToken('the access token was not issued for the admin API (request it with resource set to the admin API URL)');
  }
  if (!(await notRevoked(claims, deps))) throw invalidToken('the access token was revoked, or its client disabled');
  // Only a client acting for itself: a token issued to a person's session never administers.
  if (claims.grant_id !== undefined || claims.sub !== claims.client_id) {
    throw new OAuthError('access_denied', 'the admin API takes only client credentials tokens', { status: 403 });
  }
  const scopes = splitScope(claims.scope);
  const allowed = scopes.includes(ADMIN_SCOPE) || (!write && scopes.includes(ADMIN_READ_SCOPE));
  // RFC 6750 §3.1: insufficient_scope with 403.
  if (!allowed)
    throw new OAuthError(
      'insufficient_scope',
      `this call needs the scope ${write ? ADMIN_SCOPE : `${ADMIN_READ_SCOPE} or ${ADMIN_SCOPE}`}`,
    );
  return { clientId: claims.client_id, scopes };
}
