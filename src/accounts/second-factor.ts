// Checking a one-time code a person typed: an authenticator app's (RFC 6238, accepted once), or a
// recovery code (single use). Every attempt is reserved first by the brute-force protection.
import type { Config } from '../config/schema.ts';
import type { FactorStore, ThrottleStore } from '../storage/types.ts';
import type { KeySealer } from '../tokens/seal.ts';
import { beginSecondFactor } from './brute-force.ts';
import { hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.ts';
import { matchingStep, openTotpSecret } from './totp.ts';

export interface CodeDeps {
  config: Config;
  storage: { factors: FactorStore; throttle: ThrottleStore };
  clock: () => number;
  keys: { sealer: Pick<KeySealer, 'openData'> };
}

/** The outcome: accepted (and how), refused, or refused unchecked because of too many failures. */
export type CodeCheck = { ok: true; kind: 'totp' | 'recovery' } | { ok: false; retryAfter: number };

/**
 * Checks `typed` for `userId`. With `confirm`, only the code of a pending authenticator app counts
 * (its enrolment is confirmed by it); otherwise a confirmed app's code or an unused recovery code.
 */
export async function checkCode(userId: string, typed: string, deps: CodeDeps, confirm = false): Promise<CodeCheck> {
  const attempt = await beginSecondFactor(deps, userId);
  if (attempt.retryAfter > 0) return { ok: false, retryAfter: attempt.retryAfter };
  const code = typed.replace(/\s/g, '');
  const now = deps.clock();
  const { factors } = deps.storage;
  let kind: 'totp' | 'recovery' | undefined;
  if (/^\d{6}$/.test(code)) {
    const totp = await factors.getTotp(userId);
    if (totp && (totp.confirmedAt === null) === confirm) {
      const step = matchingStep(openTotpSecret(deps.keys.sealer, userId, totp.secret), code, now);
      // RFC 6238 §5.2: the verifier MUST NOT accept the second attempt of the same OTP.
      if (step !== undefined && (await factors.useTotpStep(userId, step, now, confirm))) kind = 'totp';
    }
  } else if (!confirm && looksLikeRecoveryCode(code)) {
    if (await factors.useRecoveryCode(userId, hashRecoveryCode(userId, code), now)) kind = 'recovery';
  }
  if (!kind) return { ok: false, retryAfter: 0 };
  await attempt.succeeded();
  return { ok: true, kind };
}
