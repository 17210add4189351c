// OpenID Connect RP-Initiated Logout 1.0 §2-§3: the end_session_endpoint.
import { compactVerify, decodeProtectedHeader } from 'jose';
import { currentSession } from '../authorization/flow.ts';
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import { redirect, withQuery } from '../http/respond.ts';
import { formTargets } from '../http/security-headers.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { ClientRecord } from '../storage/types.ts';
import { SIGNING_ALGS } from '../tokens/algorithms.ts';
import { ID_TOKEN_TYP } from '../tokens/issuer.ts';
import { constantTimeEqual, hashToken } from '../tokens/opaque.ts';
import { browserSecret, clearCookie, csrfToken, readCookie, SESSION_COOKIE } from './cookies.ts';
import { strings } from './strings.ts';

export type LogoutDeps = Pick<Deps, 'config' | 'cookieKey' | 'storage' | 'clock' | 'log' | 'keys' | 'views'>;
/**
 * The ID token hint's subject and audience when it is an ID token we signed; expired hints are
 * accepted (§2). Anything else we signed (an access token, `typ: at+jwt`) is not an ID token.
 */
async function readHint(hint: string, deps: LogoutDeps): Promise<{ sub: string; aud: string } | undefined> {
  try {
    const kid = decodeProtectedHeader(hint).kid;
    const key = kid ? deps.keys.verifying(kid) : undefined;
    if (!key) return undefined;
    const { payload, protectedHeader } = await compactVerify(hint, key.publicKey, { algorithms: [...SIGNING_ALGS] });
    // §2: id_token_hint is an ID token the OP issued; ours carry typ "JWT" (RFC 8725 §3.11: the
    // explicit type keeps one kind of token from being taken for another).
    if (protectedHeader.typ !== ID_TOKEN_TYP) return undefined;
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: unknown; sub?: unknown; aud?: unknown };
    // OIDC Core §2: aud names the client; we issue ID tokens for one client only, so one entry.
    const aud = Array.isArray(claims.aud) && claims.aud.length === 1 ? claims.aud[0] : claims.aud;
    if (claims.iss !== deps.config.issuer || typeof claims.sub !== 'string' || typeof aud !== 'string') return undefined;
    return { sub: claims.sub, aud };
  } catch {
    return undefined;
  }
}

export async function endSession(req: OAuthRequest, deps: LogoutDeps): Promise<OAuthResponse> {
  const params = singleParams(req.query, req.method === 'POST' ? req.body : null);
  const hint = params.id_token_hint ? await readHint(params.id_token_hint, deps) : undefined;
  if (params.id_token_hint && !hint) throw pageError(400, strings.logoutBadHint);
  // §2: client_id, when sent with an id_token_hint, must be the hint's audience.
  if (hint && params.client_id && params.client_id !== hint.aud) throw pageError(400, strings.logoutBadHint);
  const clientId = params.client_id ?? hint?.aud;
  const client: ClientRecord | undefined = clientId ? await deps.storage.clients.get(clientId) : undefined;
  if (clientId && !client) throw pageError(400, strings.unknownClient);

  // §3: post_logout_redirect_uri is used only when it exactly matches one registered for the client.
  const target = params.post_logout_redirect_uri;
  if (target !== undefined) {
    if (!client) throw pageError(400, strings.logoutNeedsClient);
    if (!client.postLogoutRedirectUris.includes(target)) {
      deps.log.info(
        { event: 'logout.redirect_mismatch', client_id: client.clientId, registered: client.postLogoutRedirectUris },
        'post_logout_redirect_uri not registered',
      );
      throw pageError(400, strings.logoutBadRedirect);
    }
  }

  const session = await currentSession(req, deps);
  const sessionCookie = readCookie(req, SESSION_COOKIE, deps.config);
  const { secret, setCookie } = browserSecret(req, deps);
  const confirmed =
    req.method === 'POST' &&
    params.confirm === 'yes' &&
    // The browser already held a CSRF cookie we issued (a fresh one cannot have been in the form).
    setCookie === undefined &&
    constantTimeEqual(params.csrf ?? '', csrfToken(secret, 'logout'));
  // §2: without a valid hint for the signed-in user, the user is asked, so that no page can sign them out.
  if (session && !confirmed && hint?.sub !== session.userId) {
    const hidden: Record<string, string> = {};
    for (const k of ['client_id', 'post_logout_redirect_uri', 'state'] as const) if (params[k]) hidden[k] = params[k];
    if (clientId && !hidden.client_id) hidden.client_id = clientId;
    const res = deps.views.logout({
      action: `${deps.config.issuer}/end-session`,
      csrf: csrfToken(secret, 'logout'),
      clientName: client?.name,
      hidden,
      formTargets: target ? formTargets(target) : [],
    });
    if (setCookie) res.headers['set-cookie'] = setCookie;
    return res;
  }
  const headers: Record<string, string | string[]> = {};
  if (session) {
    await deps.storage.sessions.delete(session.idHash);
    headers['set-cookie'] = clearCookie(SESSION_COOKIE, deps.config);
    deps.log.info({ event: 'logout', sub: session.userId, client_id: clientId }, 'signed out');
  } else if (sessionCookie) {
    await deps.storage.sessions.delete(hashToken(sessionCookie));
    headers['set-cookie'] = clearCookie(SESSION_COOKIE, deps.config);
  }
  if (target !== undefined) return redirect(withQuery(target, { state: params.state }), headers);
  const page = deps.views.signedOut();
  Object.assign(page.headers, headers);
  return page;
}
