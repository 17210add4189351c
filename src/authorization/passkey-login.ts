// WebAuthn Level 3 §7.2, RFC 8176: signing in with a passkey as the first and only step. The login
// page offers it (a button, and the username field's autofill); a discoverable credential names
// the account, and the authenticator must have verified the user, which makes it two factors.
import { passkeyAmr } from '../accounts/assurance.ts';
import { finishAuthentication, parseCredential } from '../accounts/passkeys.ts';
import { pageError } from '../errors.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { strings } from '../interaction/strings.ts';
import { resume } from './flow.ts';
import { loadPostedInteraction } from './interaction.ts';
import type { LoginDeps } from './login.ts';
import { startSession } from './session.ts';

export async function passkeyLoginPost(req: OAuthRequest, deps: LoginDeps): Promise<OAuthResponse> {
  const { interaction, form } = await loadPostedInteraction(req, deps);
  const clientId = interaction.params.clientId;
  const result = await finishAuthentication(form.handle ?? '', parseCredential(form.credential), deps);
  // §7.2: user verification is required for a passkey that stands alone.
  if (!result?.passwordless || !result.userVerified) {
    deps.log.info({ event: 'login.failure', client_id: clientId, method: 'passkey' }, 'passkey sign-in refused');
    throw pageError(400, strings.passkeyRefused);
  }
  const user = await deps.storage.users.getById(result.passkey.userId);
  if (!user) throw pageError(400, strings.passkeyRefused);
  if (user.disabledAt !== null) throw pageError(403, strings.accountDisabled);
  const amr = passkeyAmr(result.passkey.backupEligible, true);
  const { session, cookie } = await startSession(req, deps, user.id, amr);
  deps.log.info({ event: 'login.success', client_id: clientId, sub: user.id, method: 'passkey' }, 'signed in with a passkey');
  await deps.storage.interactions.setUser(interaction.id, user.id, session.authTime, amr);
  return resume({ ...interaction, userId: user.id, authTime: session.authTime, amr }, { session }, deps, { 'set-cookie': cookie });
}
