// WebAuthn Level 3 passkeys with @simplewebauthn/server: registration, and authentication as the
// only step (discoverable credential, user verification required) or as a second factor. The
// challenge is kept server-side, taken once, for five minutes.

import { isIP } from 'node:net';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Config } from '../config/schema.ts';
import type { FactorStore, PasskeyRecord, UserRecord } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';

const CHALLENGE_SECONDS = 300;

export interface PasskeyDeps {
  config: Config;
  storage: { factors: FactorStore };
  clock: () => number;
}

/** WebAuthn §5.1.4: the RP ID, the issuer's host unless configured (`mfa.rpId`). */
export const rpIdOf = (config: Pick<Config, 'issuer' | 'mfa'>): string => config.mfa.rpId ?? new URL(config.issuer).hostname;
/** WebAuthn §5.1.4: an IP address cannot be an RP ID, so such an issuer offers no passkeys. */
export const passkeysAvailable = (config: Pick<Config, 'issuer' | 'mfa'>): boolean => isIP(rpIdOf(config)) === 0;
const originOf = (config: Pick<Config, 'issuer'>): string => new URL(config.issuer).origin;

/** A ceremony begun: the options for the browser, and the handle of its stored challenge (a form field). */
export interface Ceremony<T> {
  options: T;
  handle: string;
}

/**
 * Stores the challenge under `slot` (one per interaction or session, so that reloading a page
 * replaces its challenge instead of adding rows), or under a new random handle.
 */
async function keep(deps: PasskeyDeps, challenge: string, userId: string | null, slot?: string): Promise<string> {
  const handle = slot ?? randomToken();
  await deps.storage.factors.saveChallenge(hashToken(handle), challenge, userId, deps.clock() + CHALLENGE_SECONDS);
  return handle;
}

/** Options to register a new passkey for `user`: discoverable, user verification required. */
export async function beginRegistration(
  user: UserRecord,
  deps: PasskeyDeps,
  slot?: string,
): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
  const existing = await deps.storage.factors.listPasskeys(user.id);
  const options = await generateRegistrationOptions({
    rpName: 'Latchkey',
    rpID: rpIdOf(deps.config),
    userName: user.username,
    userDisplayName: user.name ?? user.username,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  return { options, handle: await keep(deps, options.challenge, user.id, slot) };
}

/** Verifies a registration and stores the passkey; undefined when refused. */
export async function finishRegistration(
  user: UserRecord,
  handle: string,
  response: unknown,
  name: string,
  deps: PasskeyDeps,
): Promise<PasskeyRecord | undefined> {
  const challenge = await deps.storage.factors.takeChallenge(hashToken(handle), deps.clock());
  if (!challenge || challenge.userId !== user.id || !isCredentialJson(response)) return undefined;
  try {
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: response as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: originOf(deps.config),
      expectedRPID: rpIdOf(deps.config),
      requireUserVerification: true,
    });
    if (!verified) return undefined;
    const { credential, credentialDeviceType, credentialBackedUp } = registrationInfo;
    const now = deps.clock();
    const passkey: PasskeyRecord = {
      id: credential.id,
      userId: user.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      backupEligible: credentialDeviceType === 'multiDevice',
      backupState: credentialBackedUp,
      name: name.trim().slice(0, 64) || 'Passkey',
      createdAt: now,
      lastUsedAt: null,
    };
    await deps.storage.factors.addPasskey(passkey);
    return passkey;
  } catch {
    return undefined;
  }
}

/**
 * Options to authenticate: with `userId`, one of that user's passkeys (a second factor); without, any
 * discoverable passkey of this RP, which must verify the user (passwordless).
 */
export async function beginAuthentication(
  userId: string | null,
  deps: PasskeyDeps,
  slot?: string,
): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
  const allow = userId ? await deps.storage.factors.listPasskeys(userId) : [];
  const options = await generateAuthenticationOptions({
    rpID: rpIdOf(deps.config),
    allowCredentials: allow.map((p) => ({ id: p.id, transports: p.transports })),
    userVerification: userId ? 'preferred' : 'required',
  });
  return { options, handle: await keep(deps, options.challenge, userId, slot) };
}

/** Verifies an authentication; the passkey and whether the user was verified, or undefined when refused. */
export async function finishAuthentication(
  handle: string,
  response: unknown,
  deps: PasskeyDeps,
): Promise<{ passkey: PasskeyRecord; userVerified: boolean; passwordless: boolean } | undefined> {
  const { factors } = deps.storage;
  const challenge = await factors.takeChallenge(hashToken(handle), deps.clock());
  if (!challenge || !isCredentialJson(response)) return undefined;
  const passkey = await factors.getPasskey(response.id);
  if (!passkey) return undefined;
  const passwordless = challenge.userId === null;
  if (!passwordless && passkey.userId !== challenge.userId) return undefined;
  const json = response as unknown as AuthenticationResponseJSON;
  // WebAuthn §7.2 step 6: a discoverable credential's user handle names the account it belongs to.
  if (passwordless && json.response?.userHandle !== Buffer.from(passkey.userId).toString('base64url')) return undefined;
  try {
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: json,
      expectedChallenge: challenge.challenge,
      expectedOrigin: originOf(deps.config),
      expectedRPID: rpIdOf(deps.config),
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter },
      requireUserVerification: passwordless,
    });
    if (!verified) return undefined;
    const used = await factors.usePasskey(passkey.id, authenticationInfo.newCounter, authenticationInfo.credentialBackedUp, deps.clock());
    return used ? { passkey, userVerified: authenticationInfo.userVerified, passwordless } : undefined;
  } catch {
    return undefined;
  }
}

function isCredentialJson(value: unknown): value is { id: string; response: Record<string, unknown> } {
  const v = value as { id?: unknown; response?: unknown } | null;
  return !!v && typeof v === 'object' && typeof v.id === 'string' && v.id.length <= 1400 && !!v.response && typeof v.response === 'object';
}

/** The JSON a page posted (form field `credential`), or undefined when it is not JSON. */
export function parseCredential(text: string | undefined): unknown {
  if (!text || text.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
