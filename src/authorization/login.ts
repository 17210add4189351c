// OIDC Core §3.1.2.3: the login step — authenticating the end-user with a password on a
// CSRF-protected page, recording who signed in, and handing back to the flow.
import { beginLogin } from '../accounts/brute-force.ts';
import { beginAuthentication, passkeysAvailable } from '../accounts/passkeys.ts';
import type { Deps } from '../deps.ts';
import { formTargets } from '../http/security-headers.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { csrfSecret, csrfToken, DEVICE_COOKIE, readCookie, serializeCookie } from '../interaction/cookies.ts';
import { pageLanguage, strings } from '../interaction/strings.ts';
import type { InteractionRecord } from '../storage/types.ts';
import { clientOf, resume } from './flow.ts';
import { loadInteraction, loadPostedInteraction } from './interaction.ts';
import { startSession } from './session.ts';

export type LoginDeps = Pick<Deps, 'config' | 'cookieKey' | 'storage' | 'clock' | 'log' | 'views' | 'accounts'>;

/** The login page of an interaction, with an error and the name typed when it is shown again. */
async function page(
  deps: LoginDeps,
  interaction: InteractionRecord,
  csrf: string,
  again?: { username: string; error: string; status: number },
) {
  const client = await clientOf(interaction.params.clientId, deps);
  const ceremony = passkeysAvailable(deps.config) ? await beginAuthentication(null, deps, `login:${interaction.id}`) : undefined;
  // OIDC Core §3.1.2.1: login_hint, a hint the page may use; a person may still type another name.
  const hint = interaction.params.loginHint?.slice(0, 64);
  return deps.views.login(
    {
      action: `${deps.config.issuer}/login/${interaction.id}`,
      csrf,
      clientName: client?.name ?? interaction.params.clientId,
      formTargets: formTargets(interaction.params.redirectUri),
      lang: pageLanguage(interaction.params.uiLocales),
      ...(ceremony
        ? {
            passkey: {
              action: `${deps.config.issuer}/passkey/${interaction.id}`,
              csrf,
              options: JSON.stringify(ceremony.options),
              handle: ceremony.handle,
              mode: 'authenticate' as const,
              conditional: true,
              label: strings.passkeyUse,
            },
          }
        : {}),
      ...(again ? { username: again.username.slice(0, 64), error: again.error } : hint ? { username: hint } : {}),
    },
    again?.status ?? 200,
  );
}

export async function loginGet(req: OAuthRequest, deps: LoginDeps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  return page(deps, interaction, csrfToken(csrfSecret(req, deps), interaction.id));
}

export async function loginPost(req: OAuthRequest, deps: LoginDeps): Promise<OAuthResponse> {
  const { interaction, form } = await loadPostedInteraction(req, deps);
  const { config, storage, log } = deps;
  const again = (error: string, status: number) =>
    page(deps, interaction, form.csrf ?? '', { username: form.username ?? '', error, status });
  // Brute-force protection: the attempt is reserved first; a refused one never reaches the password check.
  const attempt = await beginLogin(deps, form.username ?? '', req.remoteAddress, readCookie(req, DEVICE_COOKIE, config));
  if (attempt.retryAfter > 0) {
    log.warn(
      { event: 'login.throttled', client_id: interaction.params.clientId, limit: attempt.refusedBy, retry_after: attempt.retryAfter },
      'sign-in refused: too many failed attempts',
    );
    const res = await again(strings.tooManyAttempts(attempt.retryAfter), 429);
    res.headers['retry-after'] = String(attempt.retryAfter);
    return res;
  }
  const password = form.password ?? '';
  // Passwords longer than any we accept are refused before they reach a hash (or an application's check).
  const user = password.length > 1024 ? undefined : await deps.accounts.verifyPassword((form.username ?? '').trim(), password);
  if (!user) {
    const failures = await attempt.failed();
    log.info({ event: 'login.failure', client_id: interaction.params.clientId, failures }, 'sign-in failed');
    return again(strings.wrongCredentials, 400);
  }
  // Said only after the right password: a guesser learns nothing about the account.
  if (user.disabled) {
    await attempt.succeeded();
    log.info({ event: 'login.disabled', client_id: interaction.params.clientId, sub: user.id }, 'sign-in refused: account disabled');
    return again(strings.accountDisabled, 403);
  }
  const device = await attempt.succeeded();
  const { session, cookie } = await startSession(req, deps, user.id, ['pwd']);
  // Checked again after the session exists: an account disabled, deleted or given a new password
  // while this sign-in was under way (those change the account first, then end its sessions) keeps
  // no session, whichever finished first.
  const still = await deps.accounts.findAccount(user.id);
  if (!still || still.disabled === true || still.credentials !== user.credentials) {
    await storage.sessions.delete(session.idHash);
    log.info({ event: 'login.disabled', client_id: interaction.params.clientId, sub: user.id }, 'sign-in refused: account changed');
    const disabled = still?.disabled === true;
    return again(disabled ? strings.accountDisabled : strings.wrongCredentials, disabled ? 403 : 400);
  }
  log.info({ event: 'login.success', client_id: interaction.params.clientId, sub: user.id }, 'signed in');
  // The outcome of this step: who signed in, when, and how.
  await storage.interactions.setUser(interaction.id, user.id, session.authTime, session.amr);
  const headers = { 'set-cookie': [cookie, serializeCookie(DEVICE_COOKIE, device, config, config.bruteForce.knownBrowserSeconds)] };
  return resume({ ...interaction, userId: user.id, authTime: session.authTime, amr: session.amr ?? null }, { session }, deps, headers);
}
