// OIDC Core §3.1.2.3: authenticating the end-user with a password, on a CSRF-protected page.
import { beginLogin } from '../accounts/brute-force.ts';
import { checkPassword } from '../accounts/users.ts';
import type { Deps } from '../deps.ts';
import { singleParams } from '../http/body.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { InteractionRecord } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { checkCsrf, csrfToken, SESSION_COOKIE, sameBrowser, serializeCookie } from './cookies.ts';
import { formTargets, issueCode, needsConsent } from './flow.ts';
import { strings } from './strings.ts';
import { errorPage, loginPage } from './views.ts';

/** The interaction named in the path, when it is live and belongs to this browser. */
export async function loadInteraction(req: OAuthRequest, deps: Deps): Promise<InteractionRecord | OAuthResponse> {
  const id = req.pathParam ?? '';
  const interaction = /^[A-Za-z0-9_-]{43}$/.test(id) ? await deps.storage.interactions.get(id, deps.clock()) : undefined;
  if (!interaction) return errorPage(400, strings.expired);
  if (!sameBrowser(req, interaction.browserHash)) return errorPage(403, strings.csrf);
  return interaction;
}

async function clientName(deps: Deps, clientId: string): Promise<string> {
  return (await deps.storage.clients.get(clientId))?.name ?? clientId;
}

export async function loginGet(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  if ('status' in interaction) return interaction;
  return loginPage({
    action: `${deps.config.issuer}/login/${interaction.id}`,
    csrf: csrfToken(req.cookies.lk_csrf ?? '', interaction.id),
    clientName: await clientName(deps, interaction.params.clientId),
    formTargets: formTargets(interaction.params.redirectUri),
  });
}

export async function loginPost(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  if ('status' in interaction) return interaction;
  const form = singleParams(req.body);
  if (!checkCsrf(req, interaction.id, interaction.browserHash, form.csrf)) return errorPage(403, strings.csrf);
  const { config, storage, clock, log } = deps;
  const again = async (error: string, status: number) =>
    loginPage(
      {
        action: `${config.issuer}/login/${interaction.id}`,
        csrf: form.csrf ?? '',
        clientName: await clientName(deps, interaction.params.clientId),
        username: (form.username ?? '').slice(0, 64),
        error,
        formTargets: formTargets(interaction.params.redirectUri),
      },
      status,
    );
  // Brute-force protection: a refused attempt never reaches the password check.
  const attempt = await beginLogin(deps, form.username ?? '', req.remoteAddress, interaction.browserHash);
  if (attempt.retryAfter > 0) {
    log.warn(
      { event: 'login.throttled', client_id: interaction.params.clientId, limit: attempt.refusedBy, retry_after: attempt.retryAfter },
      'sign-in refused: too many failed attempts',
    );
    const res = await again(strings.tooManyAttempts(attempt.retryAfter), 429);
    res.headers['retry-after'] = String(attempt.retryAfter);
    return res;
  }
  const user = await checkPassword(storage.users, form.username ?? '', form.password ?? '');
  if (!user) {
    const failures = await attempt.failed();
    log.info({ event: 'login.failure', client_id: interaction.params.clientId, failures }, 'sign-in failed');
    return again(strings.wrongCredentials, 400);
  }
  await attempt.succeeded();
  const now = clock();
  // A new session id at every sign-in: no session fixation.
  const oldSession = req.cookies[SESSION_COOKIE];
  if (oldSession) await storage.sessions.delete(hashToken(oldSession));
  const sessionId = randomToken();
  await storage.sessions.create({ idHash: hashToken(sessionId), userId: user.id, authTime: now, expiresAt: now + config.ttl.session });
  log.info({ event: 'login.success', client_id: interaction.params.clientId, sub: user.id }, 'signed in');
  const headers = { 'set-cookie': serializeCookie(SESSION_COOKIE, sessionId, config, config.ttl.session) };

  if (!(await needsConsent(interaction.params, user.id, deps))) {
    if (!(await storage.interactions.consume(interaction.id))) return errorPage(400, strings.expired);
    return issueCode(interaction.params, user.id, now, deps, headers);
  }
  await storage.interactions.setUser(interaction.id, user.id, now);
  return redirect(`${config.issuer}/consent/${interaction.id}`, headers);
}
