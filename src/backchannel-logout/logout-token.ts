// OpenID Connect Back-Channel Logout 1.0 §2.4: the logout token, a JWT signed like ID tokens.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { signJwtAsync } from '../tokens/jws.ts';
import type { KeyRing } from '../tokens/keys.ts';

/** §2.4: the member of `events` that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** §2.4 (and RFC 8725 §3.11): logout tokens are explicitly typed, so none is taken for another JWT. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** Seconds a logout token is valid: short, each delivery attempt signs a new one. */
export const LOGOUT_TOKEN_TTL = 120;

/** Who is logged out of which client: the session's `sid` when known, and the user's `sub`. */
export interface LogoutSubject {
  clientId: string;
  sub: string;
  sid: string | null;
}

/** Signs a logout token for one client with the ID token signing key (§2.4). */
export function logoutToken(
  subject: LogoutSubject,
  deps: { config: Pick<Config, 'issuer' | 'idTokenAlg'>; keys: Pick<KeyRing, 'signing'> },
  now: number,
): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: deps.config.issuer,
    // §2.4: sub and/or sid; both when the session is known, so that the RP can match either.
    sub: subject.sub,
    aud: subject.clientId,
    iat: now,
    exp: now + LOGOUT_TOKEN_TTL,
    jti: randomUUID(),
    // §2.4: events MUST hold the back-channel logout member; its value SHOULD be {}.
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
  if (subject.sid) claims.sid = subject.sid;
  // §2.4: a logout token MUST NOT contain a nonce claim (none is ever set here).
  return signJwtAsync(claims, deps.keys.signing(deps.config.idTokenAlg), LOGOUT_TOKEN_TYP);
}
