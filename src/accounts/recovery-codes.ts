// Recovery codes (NIST SP 800-63B §5.1.2 look-up secrets): ten single-use codes, shown once, stored
// as SHA-256 of the user and the code, so that the same code of two users hashes differently.
import { randomInt } from 'node:crypto';
import { hashToken } from '../tokens/opaque.ts';

export const RECOVERY_CODE_COUNT = 10;
// Without 0/o, 1/l/i: read off paper without doubt.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** One code: 12 characters (about 59 bits), shown as `xxxx-xxxx-xxxx`. */
function newCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** What a person typed, as the code it means (case, spaces and dashes do not matter). */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(userId: string, typed: string): string {
  return hashToken(`recovery:${userId}:${normalizeRecoveryCode(typed)}`);
}

/** New codes to show once, and the hashes to store. */
export function newRecoveryCodes(userId: string): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  return { codes, hashes: codes.map((c) => hashRecoveryCode(userId, c)) };
}

/** Whether the typed text has the shape of a recovery code (else it is taken for an app's code). */
export const looksLikeRecoveryCode = (typed: string): boolean => /^[a-z0-9]{12}$/.test(normalizeRecoveryCode(typed));
