// The sealed successor of a rotated refresh token: the successor refresh token (rows rotated by
// earlier versions hold the whole token response), encrypted (AES-256-GCM) under a key derived from
// the old refresh token itself. The database holds only the old token's hash, so the blob opens only
// for whoever presents that token again.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { randomPooled } from './opaque.ts';

const INFO = Buffer.from('refresh-successor\x01');

/**
 * HKDF-SHA256 (RFC 5869) of the token, salt "latchkey", info "refresh-successor", 32 bytes: one
 * extract and one expand block, written as the two HMACs they are, since hkdfSync costs four times
 * as much here. The tests check the result against hkdfSync.
 */
export function keyFor(token: string): Buffer {
  const prk = createHmac('sha256', 'latchkey').update(token).digest();
  return createHmac('sha256', prk).update(INFO).digest();
}

export function seal(token: string, value: unknown): string {
  const iv = randomPooled(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(token), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The sealed value, or undefined when the blob does not open with this token. */
export function open<T>(token: string, blob: string): T | undefined {
  try {
    const raw = Buffer.from(blob, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(token), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
