// The account page (`{issuer}/account`): a signed-in person's own page. Without a session, the
// person signs in through the browser flow (account-client.ts) and comes back here. Every form is
// CSRF-protected (a token bound to this browser and this session); changes that weaken sign-in
// (the password, removing a factor) need a recent sign-in at the session's strength.
import { acrOf, levelOf, otpAmr, passkeyAmr } from '../accounts/assurance.ts';
import { beginLogin } from '../accounts/brute-force.ts';
import { beginRegistration, finishRegistration, parseCredential, passkeysAvailable } from '../accounts/passkeys.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { newRecoveryCodes } from '../accounts/recovery-codes.ts';
import { checkCode } from '../accounts/second-factor.ts';
import { checkEmail, checkNewPassword, checkPassword } from '../accounts/users.ts';
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { csrfSecret, csrfToken, DEVICE_COOKIE, readCookie } from '../interaction/cookies.ts';
import { strings } from '../interaction/strings.ts';
import type { SessionRecord, UserRecord } from '../storage/types.ts';
import { constantTimeEqual } from '../tokens/opaque.ts';
import { accountClient, accountRequest } from './account-client.ts';
import { currentSession, factorsOf, proceed } from './flow.ts';
import { enrolment } from './mfa.ts';

export type AccountDeps = Pick<Deps, 'config' | 'cookieKey' | 'storage' | 'clock' | 'log' | 'keys' | 'factorViews' | 'accounts' | 'views'>;

const t = strings.account;
const when = (epoch: number): string => `${new Date(epoch * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Signs in through the flow; `fresh` asks for a new sign-in, as strong as the session's was. */
function signIn(req: OAuthRequest, deps: AccountDeps, fresh?: SessionRecord): Promise<OAuthResponse> {
  const acr = fresh && levelOf(fresh.amr) > 1 ? [acrOf(fresh.amr)] : undefined;
  return proceed(req, accountClient(deps.config), accountRequest(deps.config, !!fresh, acr), deps);
}

const formToken = (req: OAuthRequest, deps: AccountDeps, session: SessionRecord) =>
  csrfToken(csrfSecret(req, deps), `account:${session.idHash}`);

async function render(
  req: OAuthRequest,
  deps: AccountDeps,
  session: SessionRecord,
  user: UserRecord,
  message: { notice?: string; error?: string; status?: number } = {},
): Promise<OAuthResponse> {
  const { storage } = deps;
  const now = deps.clock();
  const [summary, passkeys, sessions, consents, ceremony] = await Promise.all([
    storage.factors.summary(user.id),
    storage.factors.listPasskeys(user.id),
    storage.sessions.listForUser(user.id, now),
    storage.consents.listForUser(user.id),
    passkeysAvailable(deps.config) ? beginRegistration(user, deps, `account:${session.idHash}`) : undefined,
  ]);
  const apps = [];
  for (const c of consents) {
    const client = await storage.clients.get(c.clientId);
    if (client) apps.push({ clientId: c.clientId, name: client.name, scopes: c.scopes });
  }
  const csrf = formToken(req, deps, session);
  const action = `${deps.config.issuer}/account`;
  return deps.factorViews.account(
    {
      action,
      csrf,
      signOutAction: `${deps.config.issuer}/end-session`,
      signOutCsrf: csrfToken(csrfSecret(req, deps), 'logout'),
      ...(message.notice ? { notice: message.notice } : {}),
      ...(message.error ? { error: message.error } : {}),
      user: { username: user.username, name: user.name ?? '', email: user.email ?? '' },
      totp: summary.totp,
      recoveryCodes: summary.recoveryCodes,
      passkeys: passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        created: when(p.createdAt),
        lastUsed: p.lastUsedAt === null ? null : when(p.lastUsedAt),
        synced: p.backupState,
      })),
      ...(ceremony
        ? {
            addPasskey: {
              action,
              csrf,
              options: JSON.stringify(ceremony.options),
              handle: ceremony.handle,
              mode: 'register' as const,
              label: t.passkeyAdd,
              hidden: { op: 'passkey-add' },
              field: { name: 'name', label: t.passkeyName, value: '' },
            },
          }
        : {}),
      sessions: sessions.map((s) => ({ current: s.idHash === session.idHash, signedIn: when(s.authTime) })),
      apps,
    },
    message.status ?? 200,
  );
}

/** The signed-in person and their session, or undefined (sign in first). */
async function signedIn(req: OAuthRequest, deps: AccountDeps): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
  const session = await currentSession(req, deps);
  const user = session ? await deps.storage.users.getById(session.userId) : undefined;
  if (!session || !user || user.disabledAt !== null) return undefined;
  // A session from a password alone, where a second factor is due, is not signed in here yet.
  const needed = deps.config.mfa.required || (await factorsOf(user.id, deps)).any ? 2 : 1;
  return levelOf(session.amr) >= needed ? { session, user } : undefined;
}

export async function accountGet(req: OAuthRequest, deps: AccountDeps): Promise<OAuthResponse> {
  const who = await signedIn(req, deps);
  if (!who) return signIn(req, deps);
  return render(req, deps, who.session, who.user);
}

export async function accountPost(req: OAuthRequest, deps: AccountDeps): Promise<OAuthResponse> {
  const who = await signedIn(req, deps);
  if (!who) return signIn(req, deps);
  const { session, user } = who;
  const form = singleParams(req.body);
  const secret = csrfSecret(req, deps);
  if (!secret || !constantTimeEqual(form.csrf ?? '', formToken(req, deps, session))) throw pageError(403, strings.csrf);
  const { storage, log } = deps;
  const now = deps.clock();
  const show = (message: { notice?: string; error?: string; status?: number }) => render(req, deps, session, user, message);
  const recent = now - session.authTime <= deps.config.mfa.recentAuthSeconds;
  const csrf = form.csrf as string;
  const action = `${deps.config.issuer}/account`;

  if (form.continue === '1') return redirect(action);
  switch (form.op) {
    case 'profile': {
      const name = (form.name ?? '').trim().slice(0, 200);
      const email = (form.email ?? '').trim();
      try {
        if (email) checkEmail(email);
      } catch (e) {
        return show({ error: (e as Error).message, status: 400 });
      }
      const next = { ...user, name: name || null, email: email || null };
      if (next.email !== user.email) next.emailVerified = false;
      await storage.users.update(next);
      return render(req, deps, session, next, { notice: t.saved });
    }
    case 'password': {
      if (!recent) return signIn(req, deps, session);
      try {
        checkNewPassword(form.password ?? '');
      } catch {
        return show({ error: t.weakPassword, status: 400 });
      }
      // The current password is checked like a sign-in: reserved first by the brute-force protection.
      const attempt = await beginLogin(deps, user.username, req.remoteAddress, readCookie(req, DEVICE_COOKIE, deps.config));
      if (attempt.retryAfter > 0) return show({ error: strings.tooManyAttempts(attempt.retryAfter), status: 429 });
      if (!(await checkPassword(storage.users, user.username, form.current ?? ''))) return show({ error: t.wrongPassword, status: 400 });
      await attempt.succeeded();
      await storage.users.update({ ...user, passwordHash: await hashPassword(form.password as string) });
      const ended = await storage.sessions.deleteOthers(user.id, session.idHash);
      log.info({ event: 'account.password_changed', sub: user.id, sessions_ended: ended }, 'password changed');
      return show({ notice: t.passwordChanged });
    }
    case 'totp-begin':
    case 'totp-confirm': {
      const confirming = form.op === 'totp-confirm';
      const check = confirming ? await checkCode(user.id, form.code ?? '', deps, true) : undefined;
      if (check?.ok) {
        log.info({ event: 'mfa.enrolled', sub: user.id, factor: 'totp' }, 'authenticator app set up');
        // The code just given proves the second factor: this session is now signed in with it.
        await storage.sessions.upgrade(session.idHash, now, otpAmr(session.amr ?? ['pwd']));
        const summary = await storage.factors.summary(user.id);
        if (summary.recoveryCodes > 0) return show({ notice: t.appAdded });
        const { codes, hashes } = newRecoveryCodes(user.id);
        await storage.factors.replaceRecoveryCodes(user.id, hashes, now);
        return deps.factorViews.recoveryCodes({ action, csrf, codes, formTargets: [] });
      }
      const enrol = await enrolment(user, deps, !confirming);
      if (!enrol) return show({ notice: t.appOn });
      const error = check ? (check.retryAfter ? strings.mfaTooMany(check.retryAfter) : strings.mfaWrongCode) : undefined;
      return deps.factorViews.mfa(
        {
          action,
          csrf,
          formTargets: [],
          code: true,
          enrol,
          lead: t.appLead,
          hidden: { op: 'totp-confirm' },
          ...(error ? { error } : {}),
        },
        check ? (check.retryAfter ? 429 : 400) : 200,
      );
    }
    case 'totp-remove': {
      if (!recent) return signIn(req, deps, session);
      await storage.factors.deleteTotp(user.id);
      // Recovery codes stand in for the app: without a second factor they go too.
      if ((await storage.factors.summary(user.id)).passkeys === 0) await storage.factors.replaceRecoveryCodes(user.id, [], now);
      log.info({ event: 'mfa.removed', sub: user.id, factor: 'totp' }, 'authenticator app removed');
      return show({ notice: t.appRemoved });
    }
    case 'recovery-new': {
      const { codes, hashes } = newRecoveryCodes(user.id);
      await storage.factors.replaceRecoveryCodes(user.id, hashes, now);
      log.info({ event: 'mfa.recovery_codes', sub: user.id }, 'new recovery codes');
      return deps.factorViews.recoveryCodes({ action, csrf, codes, formTargets: [] });
    }
    case 'passkey-add': {
      const added = await finishRegistration(user, form.handle ?? '', parseCredential(form.credential), form.name ?? '', deps);
      if (!added) return show({ error: strings.passkeyFailed, status: 400 });
      log.info({ event: 'mfa.enrolled', sub: user.id, factor: 'passkey' }, 'passkey added');
      // The new passkey, verified by the authenticator, was just used: the session has it now.
      await storage.sessions.upgrade(session.idHash, now, passkeyAmr(added.backupEligible, false, session.amr ?? ['pwd']));
      return show({ notice: t.passkeyAdded });
    }
    case 'passkey-remove': {
      if (!recent) return signIn(req, deps, session);
      if (!(await storage.factors.deletePasskey(user.id, form.id ?? ''))) return show({ error: t.unknownAction, status: 400 });
      log.info({ event: 'mfa.removed', sub: user.id, factor: 'passkey' }, 'passkey removed');
      return show({ notice: t.passkeyRemoved });
    }
    case 'sessions-end': {
      const n = await storage.sessions.deleteOthers(user.id, session.idHash);
      log.info({ event: 'account.sessions_ended', sub: user.id, sessions_ended: n }, 'other sessions signed out');
      return show({ notice: t.othersSignedOut(n) });
    }
    case 'app-revoke': {
      const clientId = form.client_id ?? '';
      const client = await storage.clients.get(clientId);
      const ended = await storage.revokeAccess({ userId: user.id, clientId }, now);
      log.info({ event: 'account.app_revoked', sub: user.id, client_id: clientId, grants_revoked: ended.grants }, 'access removed');
      return show({ notice: t.revoked(client?.name ?? clientId) });
    }
    default:
      return show({ error: t.unknownAction, status: 400 });
  }
}
