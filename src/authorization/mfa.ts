// NIST SP 800-63B §4.2 (two factors), RFC 8176 (amr): the second-factor step of the browser flow.
// After the password, when the request or the policy asks for more (decide.ts), the person gives a
// code from an authenticator app (RFC 6238), a recovery code, or uses a passkey; a person with no
// factor yet sets up an authenticator app here. The outcome is recorded on the session and the
// interaction, and the flow resumes.
import { otpAmr, passkeyAmr } from '../accounts/assurance.ts';
import { beginAuthentication, finishAuthentication, parseCredential } from '../accounts/passkeys.ts';
import { newRecoveryCodes } from '../accounts/recovery-codes.ts';
import { checkCode } from '../accounts/second-factor.ts';
import { groupSecret, newTotpSecret, openTotpSecret, qrDataUrl, sealTotpSecret, totpUri } from '../accounts/totp.ts';
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { formTargets } from '../http/security-headers.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { csrfSecret, csrfToken } from '../interaction/cookies.ts';
import { strings } from '../interaction/strings.ts';
import type { InteractionRecord, SessionRecord, UserRecord } from '../storage/types.ts';
import { currentSession, resume } from './flow.ts';
import { loadInteraction, loadPostedInteraction } from './interaction.ts';

export type MfaDeps = Pick<Deps, 'config' | 'cookieKey' | 'storage' | 'clock' | 'log' | 'keys' | 'factorViews' | 'accounts' | 'views'>;

/** The authenticator app being set up: the pending secret (reused while pending), as QR code and text. */
export async function enrolment(user: UserRecord, deps: Pick<MfaDeps, 'storage' | 'keys' | 'clock' | 'config'>, fresh: boolean) {
  const pending = await deps.storage.factors.getTotp(user.id);
  let secret = pending && pending.confirmedAt === null && !fresh ? openTotpSecret(deps.keys.sealer, user.id, pending.secret) : undefined;
  if (!secret) {
    secret = newTotpSecret();
    if (!(await deps.storage.factors.beginTotp(user.id, sealTotpSecret(deps.keys.sealer, user.id, secret), deps.clock()))) return undefined;
  }
  const issuerName = `${strings.productName} (${new URL(deps.config.issuer).host})`;
  return { qr: await qrDataUrl(totpUri(secret, issuerName, user.username)), secret: groupSecret(secret) };
}

async function show(
  deps: MfaDeps,
  interaction: InteractionRecord,
  session: SessionRecord,
  csrf: string,
  again?: { error: string; status: number },
): Promise<OAuthResponse> {
  const user = await deps.storage.users.getById(session.userId);
  if (!user) throw pageError(400, strings.expired);
  const summary = await deps.storage.factors.summary(user.id);
  const action = `${deps.config.issuer}/mfa/${interaction.id}`;
  const none = !summary.totp && summary.passkeys === 0 && summary.recoveryCodes === 0;
  const enrol = none ? await enrolment(user, deps, !again) : undefined;
  const ceremony = summary.passkeys > 0 ? await beginAuthentication(user.id, deps, `mfa:${interaction.id}`) : undefined;
  return deps.factorViews.mfa(
    {
      action,
      csrf,
      formTargets: formTargets(interaction.params.redirectUri),
      code: none || summary.totp || summary.recoveryCodes > 0,
      ...(enrol ? { enrol } : {}),
      ...(ceremony
        ? {
            passkey: {
              action,
              csrf,
              options: JSON.stringify(ceremony.options),
              handle: ceremony.handle,
              mode: 'authenticate' as const,
              label: strings.passkeyVerify,
            },
          }
        : {}),
      ...(again ? { error: again.error } : {}),
    },
    again?.status ?? 200,
  );
}

/** The session of the person the interaction is for, or undefined (then the flow asks to sign in). */
async function sessionFor(req: OAuthRequest, deps: MfaDeps, interaction: InteractionRecord): Promise<SessionRecord | undefined> {
  const session = await currentSession(req, deps);
  return session && interaction.userId === session.userId ? session : undefined;
}

export async function mfaGet(req: OAuthRequest, deps: MfaDeps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  const session = await sessionFor(req, deps, interaction);
  if (!session) return resume(interaction, { session: await currentSession(req, deps) }, deps);
  return show(deps, interaction, session, csrfToken(csrfSecret(req, deps), interaction.id));
}

export async function mfaPost(req: OAuthRequest, deps: MfaDeps): Promise<OAuthResponse> {
  const { interaction, form } = await loadPostedInteraction(req, deps);
  const session = await sessionFor(req, deps, interaction);
  if (!session) return resume(interaction, { session: await currentSession(req, deps) }, deps);
  const csrf = form.csrf ?? '';
  // After the recovery codes of a new authenticator app were shown: the step is done.
  if (form.continue === '1') return resume(interaction, { session }, deps);
  const { log } = deps;
  const clientId = interaction.params.clientId;
  if (form.credential !== undefined) {
    const result = await finishAuthentication(form.handle ?? '', parseCredential(form.credential), deps);
    if (!result || result.passkey.userId !== session.userId) {
      log.info({ event: 'mfa.failure', client_id: clientId, sub: session.userId, factor: 'passkey' }, 'second factor refused');
      return show(deps, interaction, session, csrf, { error: strings.passkeyRefused, status: 400 });
    }
    const amr = passkeyAmr(result.passkey.backupEligible, result.userVerified, session.amr);
    return stepUp(deps, interaction, session, amr, 'passkey');
  }
  const summary = await deps.storage.factors.summary(session.userId);
  const enrolling = !summary.totp && summary.passkeys === 0 && summary.recoveryCodes === 0;
  const check = await checkCode(session.userId, form.code ?? '', deps, enrolling);
  if (!check.ok) {
    log.info(
      { event: check.retryAfter ? 'mfa.throttled' : 'mfa.failure', client_id: clientId, sub: session.userId, factor: 'code' },
      'second factor refused',
    );
    const res = await show(deps, interaction, session, csrf, {
      error: check.retryAfter ? strings.mfaTooMany(check.retryAfter) : strings.mfaWrongCode,
      status: check.retryAfter ? 429 : 400,
    });
    if (check.retryAfter) res.headers['retry-after'] = String(check.retryAfter);
    return res;
  }
  const amr = otpAmr(session.amr ?? ['pwd']);
  if (!enrolling) return stepUp(deps, interaction, session, amr, check.kind);
  // A new authenticator app: its recovery codes are shown once, then Continue resumes the flow.
  await record(deps, interaction, session, amr, 'totp');
  const { codes, hashes } = newRecoveryCodes(session.userId);
  await deps.storage.factors.replaceRecoveryCodes(session.userId, hashes, deps.clock());
  log.info({ event: 'mfa.enrolled', sub: session.userId, factor: 'totp' }, 'authenticator app set up');
  return deps.factorViews.recoveryCodes({
    action: `${deps.config.issuer}/mfa/${interaction.id}`,
    csrf,
    codes,
    formTargets: formTargets(interaction.params.redirectUri),
  });
}

/** The outcome of this step: the session and the interaction record the stronger authentication. */
async function record(deps: MfaDeps, interaction: InteractionRecord, session: SessionRecord, amr: string[], factor: string) {
  const now = deps.clock();
  await deps.storage.sessions.upgrade(session.idHash, now, amr);
  await deps.storage.interactions.setUser(interaction.id, session.userId, now, amr);
  deps.log.info({ event: 'mfa.success', client_id: interaction.params.clientId, sub: session.userId, factor }, 'second factor accepted');
  return now;
}

async function stepUp(deps: MfaDeps, interaction: InteractionRecord, session: SessionRecord, amr: string[], factor: string) {
  const now = await record(deps, interaction, session, amr, factor);
  return resume({ ...interaction, authTime: now, amr }, { session: { ...session, authTime: now, amr } }, deps);
}
