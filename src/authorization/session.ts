// The login session a sign-in step starts: a new id every time (no session fixation), stored as
// its hash, with how the person authenticated (RFC 8176 amr) and its `sid` (OIDC Back-Channel Logout
// 1.0 §2.4: a separate random id, not secret, that ID and logout tokens carry).
import type { Config } from '../config/schema.ts';
import type { OAuthRequest } from '../http/types.ts';
import { readCookie, SESSION_COOKIE, serializeCookie } from '../interaction/cookies.ts';
import type { SessionRecord, SessionStore } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';

export interface SessionDeps {
  config: Config;
  storage: { sessions: Pick<SessionStore, 'create' | 'delete'> };
  clock: () => number;
}

/** Ends the browser's old session, starts a new one; returns it and its Set-Cookie. */
export async function startSession(
  req: OAuthRequest,
  deps: SessionDeps,
  userId: string,
  amr: string[],
): Promise<{ session: SessionRecord; cookie: string }> {
  const { config, storage } = deps;
  const oldSession = readCookie(req, SESSION_COOKIE, config);
  if (oldSession) await storage.sessions.delete(hashToken(oldSession));
  const now = deps.clock();
  const sessionId = randomToken();
  const session = {
    idHash: hashToken(sessionId),
    userId,
    authTime: now,
    expiresAt: now + config.ttl.session,
    amr,
    sid: randomToken(16),
  };
  await storage.sessions.create(session);
  return { session, cookie: serializeCookie(SESSION_COOKIE, sessionId, config, config.ttl.session) };
}
