// RFC 6749 §10.10: opaque credentials (codes, refresh tokens, secrets, session ids) of 256 random bits,
// kept at rest only as SHA-256 (ARCHITECTURE.md rule 5).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a credential, base64url: what the stores hold. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Compares two strings in time independent of where they differ (their hashes have equal length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
