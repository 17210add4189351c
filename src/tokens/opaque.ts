// RFC 6749 §10.10: opaque credentials (codes, refresh tokens, secrets, session ids) of 256 random bits,
// kept at rest only as SHA-256 (ARCHITECTURE.md rule 5).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** Reserves `n` fresh bytes of the pool, refilling it from the CSPRNG when it runs out. */
function take(n: number): number {
  if (used + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const at = used;
  used += n;
  return at;
}

/**
 * `n` bytes from the CSPRNG. Small requests are cut from a pooled 4 KiB buffer, as node's own
 * randomUUID does: one system call for many tokens. Every byte is handed out once, then zeroed.
 */
export function randomPooled(n: number): Buffer {
  if (n > POOL_BYTES / 8) return randomBytes(n);
  const at = take(n);
  const out = Buffer.from(pool.subarray(at, at + n));
  pool.fill(0, at, at + n);
  return out;
}

/** 256 bits from the CSPRNG, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return randomPooled(bytes).toString('base64url');
}

/** SHA-256 of a credential, base64url: what the stores hold. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Compares two strings in time independent of where they differ. Values of one length (the hashes,
 * MACs and tokens compared here all have a fixed, public length) are compared as they are; values of
 * different lengths are hashed first, so that even then the time says nothing of their content.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ba.length === bb.length) return timingSafeEqual(ba, bb);
  timingSafeEqual(createHash('sha256').update(ba).digest(), createHash('sha256').update(bb).digest());
  return false;
}
