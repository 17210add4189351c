// Passwords of people are hashed with argon2id (RFC 9106), OWASP parameters: m=19 MiB, t=2, p=1.
import { hash, verify } from '@node-rs/argon2';

/** The argon2id cost, stated in benchmarks and the README. */
export const ARGON2_PARAMS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as a real verification, so that an unknown username answers as slowly as a
 * wrong password and does not reveal whether the account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('latchkey-dummy-password');
  await verifyPassword(await dummy, password);
  return false;
}
