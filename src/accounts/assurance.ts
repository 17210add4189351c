// RFC 8176 (amr values) and OIDC Core §2 / §3.1.2.1 (acr, acr_values): how strongly a person signed
// in, and how strongly a request or policy asks them to. Pure functions, used by authorization/decide.ts.

/**
 * The authentication context classes Latchkey satisfies, weakest first: a password (or any one
 * factor), two factors, and phishing-resistant (a passkey: `phr` of OpenID EAP ACR Values 1.0).
 */
export const ACR_VALUES = ['urn:latchkey:acr:pwd', 'urn:latchkey:acr:mfa', 'phr'] as const;
export type AcrValue = (typeof ACR_VALUES)[number];

/** 1, 2 or 3: the index in ACR_VALUES plus one. 0 asks for nothing. */
export type Level = 0 | 1 | 2 | 3;

/** RFC 8176 §2 values a passkey sign-in records: a device-bound key is `hwk`, a synced one `swk`. */
export function passkeyAmr(backupEligible: boolean, userVerified: boolean, after: readonly string[] = []): string[] {
  const amr = new Set([...after, backupEligible ? 'swk' : 'hwk', 'user']);
  // A key unlocked by the person's PIN or biometrics is two factors by itself; after a password too.
  if (userVerified || after.length > 0) amr.add('mfa');
  return [...amr];
}

/** The amr after a one-time code (an authenticator app, or a recovery code) following `before`. */
export function otpAmr(before: readonly string[]): string[] {
  return [...new Set([...before, 'otp', 'mfa'])];
}

/** How strong an authentication with these amr values is. */
export function levelOf(amr: readonly string[] | undefined): Level {
  const a = amr ?? ['pwd'];
  if (a.length === 0) return 0;
  if ((a.includes('hwk') || a.includes('swk')) && a.includes('mfa')) return 3;
  return a.includes('mfa') ? 2 : 1;
}

/** The acr value an authentication satisfies. */
export function acrOf(amr: readonly string[] | undefined): AcrValue {
  return ACR_VALUES[Math.max(0, levelOf(amr) - 1)] as AcrValue;
}

/**
 * The weakest level that satisfies the request and the policy. OIDC Core §3.1.2.1: acr_values are
 * in order of preference, any of them will do, so the weakest known one is needed; values we do
 * not know ask for nothing. `mfa.required` (configuration or client) asks for two factors.
 */
export function requiredLevel(acrValues: readonly string[] | undefined, mfaRequired: boolean): Level {
  const known = (acrValues ?? []).map((v) => ACR_VALUES.indexOf(v as AcrValue) + 1).filter((l) => l > 0);
  const asked = known.length ? Math.min(...known) : 0;
  return Math.max(asked, mfaRequired ? 2 : 0) as Level;
}
