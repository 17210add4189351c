// RFC 8628 §6.1: user codes a person types: 8 characters from 20 consonants (no vowels, so no
// words; no look-alikes such as 0/O or 1/I), about 34 bits, shown as XXXX-XXXX.
import { randomInt } from 'node:crypto';
import { hashToken } from '../tokens/opaque.ts';

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const LENGTH = 8;

/** A new user code, formatted for display (`BDWP-HQPK`). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** §6.1: what a person typed, case and separators ignored; undefined when it cannot be a code. */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : undefined;
}

/** How a user code is stored and looked up. */
export const userCodeHash = (normalized: string): string => hashToken(`user-code:${normalized}`);
