// RFC 6749 §4.1.2 and OIDC Core §3.1.2.3-§3.1.2.6: deciding login and consent, and answering the client.
import type { Deps } from '../deps.ts';
import type { OAuthErrorCode } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import { redirect, withQuery } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { AuthorizationParams, SessionRecord } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { strings } from './strings.ts';

/** RFC 9207 §2: every authorization response carries `iss`; RFC 6749 §4.1.2: and the `state` sent. */
export function errorRedirect(
  p: Pick<AuthorizationParams, 'redirectUri' | 'state'>,
  code: OAuthErrorCode,
  description: string,
  deps: Deps,
  headers: Record<string, string | string[]> = {},
): OAuthResponse {
  const location = withQuery(p.redirectUri, { error: code, error_description: description, state: p.state, iss: deps.config.issuer });
  return redirect(location, headers);
}

/** The login session of this browser, if it has a live one. */
export async function currentSession(req: OAuthRequest, deps: Deps): Promise<SessionRecord | undefined> {
  const id = req.cookies[SESSION_COOKIE];
  if (!id || id.length > 100) return undefined;
  return deps.storage.sessions.get(hashToken(id), deps.clock());
}

/** OIDC Core §3.1.2.1: prompt=login and max_age force a new authentication. */
export function needsLogin(p: AuthorizationParams, session: SessionRecord | undefined, now: number): boolean {
  if (!session) return true;
  if (p.prompt.includes('login')) return true;
  // max_age=0 is prompt=login (OIDC Core §3.1.2.1), even within the second of the last sign-in.
  return p.maxAge !== null && (p.maxAge === 0 || now - session.authTime > p.maxAge);
}

/** Consent is remembered per user, client and scope set; prompt=consent asks again. */
export async function needsConsent(p: AuthorizationParams, userId: string, deps: Deps): Promise<boolean> {
  if (p.prompt.includes('consent')) return true;
  const granted = await deps.storage.consents.get(userId, p.clientId);
  return !splitScope(p.scope).every((s) => granted.includes(s));
}

/** RFC 6749 §4.1.2: issues the code (and its grant) and redirects back to the client. */
export async function issueCode(
  p: AuthorizationParams,
  userId: string,
  authTime: number,
  deps: Deps,
  headers: Record<string, string | string[]> = {},
): Promise<OAuthResponse> {
  const { config, clock, storage } = deps;
  const now = clock();
  // RFC 6749 §10.10: at least 128 bits of entropy; 256 here, stored only as SHA-256.
  const code = randomToken();
  const grantId = randomToken(16);
  const client = await storage.clients.get(p.clientId);
  // Disabled or deleted while the person was signing in: no code, no redirect to it (RFC 6749 §4.1.2.1).
  if (!client || client.disabledAt !== null) {
    const page = deps.views.error(400, strings.disabledClient);
    return { ...page, headers: { ...page.headers, ...headers } };
  }
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
    },
  );
  deps.log.info({ event: 'code.issued', client_id: p.clientId, sub: userId }, 'authorization code issued');
  return redirect(withQuery(p.redirectUri, { code, state: p.state, iss: config.issuer }), headers);
}

/** CSP form-action sources that let a form's redirect reach the client (browsers check redirects too). */
export function formTargets(redirectUri: string): string[] {
  try {
    const u = new URL(redirectUri);
    return [u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol];
  } catch {
    return [];
  }
}
