// OIDC Core §3.1.2.3: authenticating the end-user with a password, on a CSRF-protected page.
import { beginLogin } from '../accounts/brute-force.ts';
import { checkPassword } from '../accounts/users.ts';
import type { Deps } from '../deps.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { InteractionRecord } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { csrfToken, SESSION_COOKIE, serializeCookie } from './cookies.ts';
import { formTargets, issueCode, needsConsent } from './flow.ts';
import { isResponse, loadInteraction, loadPostedInteraction } from './interaction.ts';
import { strings } from './strings.ts';

async function clientName(deps: Deps, clientId: string): Promise<string> {
  return (await deps.storage.clients.get(clientId))?.name ?? clientId;
}

/** The login page of an interaction, with an error and the name typed when it is shown again. */
async function page(deps: Deps, interaction: InteractionRecord, csrf: string, again?: { username: string; error: string; status: number }) {
  return deps.views.login(
    {
      action: `${deps.config.issuer}/login/${interaction.id}`,
      csrf,
      clientName: await clientName(deps, interaction.params.clientId),
      formTargets: formTargets(interaction.params.redirectUri),
      ...(again ? { username: again.username.slice(0, 64), error: again.error } : {}),
    },
    again?.status ?? 200,
  );
}

export async function loginGet(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  if (isResponse(interaction)) return interaction;
  return page(deps, interaction, csrfToken(req.cookies.lk_csrf ?? '', interaction.id));
}

export async function loginPost(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const posted = await loadPostedInteraction(req, deps);
  if (isResponse(posted)) return posted;
  const { interaction, form } = posted;
  const { config, storage, clock, log } = deps;
  const again = (error: string, status: number) =>
    page(deps, interaction, form.csrf ?? '', { username: form.username ?? '', error, status });
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
  // Said only after the right password: a guesser learns nothing about the account.
  if (user.disabledAt !== null) {
    await attempt.succeeded();
    log.info({ event: 'login.disabled', client_id: interaction.params.clientId, sub: user.id }, 'sign-in refused: account disabled');
    return again(strings.accountDisabled, 403);
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
    if (!(await storage.interactions.consume(interaction.id))) return deps.views.error(400, strings.expired);
    return issueCode(interaction.params, user.id, now, deps, headers);
  }
  await storage.interactions.setUser(interaction.id, user.id, now);
  return redirect(`${config.issuer}/consent/${interaction.id}`, headers);
}
