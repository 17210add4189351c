// Private signing keys at rest: AES-256-GCM under a key-encryption key derived with HKDF (RFC 5869)
// from the operator's secret, which never enters the database.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../config/schema.ts';

const VERSION = 'lk1';
const SALT = 'latchkey';

/** Seals and opens private JWKs; several secrets can be recognised by their id. */
export interface KeySealer {
  /** The id of the secret new keys are sealed under (derived from it; reveals nothing about it). */
  readonly secretId: string;
  /** `lk1.<secret id>.<iv>.<ciphertext>.<tag>`, bound to the key's kid. */
  seal(kid: string, privateJwk: string): string;
  /** The private JWK, or a ConfigError that names the secret the value was sealed under. */
  open(kid: string, stored: string): string;
  /** A 256-bit key for `purpose`, derived from the current secret (HKDF, RFC 5869): never the KEK itself. */
  derive(purpose: string): Buffer;
  /**
   * Seals any other secret kept at rest (an authenticator app's shared secret, say) under a key
   * derived for `purpose`, bound to `context` (the record it belongs to): same format as the keys.
   */
  sealData(purpose: string, context: string, plaintext: string): string;
  /** Opens what `sealData` sealed, under any configured secret; throws when altered or unknown. */
  openData(purpose: string, context: string, stored: string): string;
}

/** Whether a stored private key is still in clear (written before keys were encrypted). */
export function isClear(stored: string): boolean {
  return stored.trimStart().startsWith('{');
}

/** The secret id a sealed value names, or undefined for a clear one. */
export function sealedUnder(stored: string): string | undefined {
  const parts = stored.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}

function derive(secret: string, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, info, length));
}

/** The id of a secret, as written into every value sealed under it. */
export function secretIdOf(secret: string): string {
  return derive(secret, 'latchkey secret id v1', 9).toString('base64url');
}

/** `secrets[0]` seals; every one of them opens what was sealed under it. */
export function createSealer(...secrets: [string, ...string[]]): KeySealer {
  const keks = new Map(secrets.map((s) => [secretIdOf(s), derive(s, 'latchkey signing-key kek v1', 32)] as const));
  const secretId = secretIdOf(secrets[0]);
  const current = keks.get(secretId) as Buffer;
  const aad = (sid: string, kid: string) => Buffer.from(`${VERSION}.${sid}.${kid}`, 'utf8');
  const bySecret = new Map(secrets.map((s) => [secretIdOf(s), s] as const));
  const dataKey = (sid: string, purpose: string) => {
    const secret = bySecret.get(sid);
    if (secret === undefined)
      throw new ConfigError(`a stored ${purpose} value is encrypted under the secret with id ${sid}, which is not configured`);
    return derive(secret, `latchkey data ${purpose} v1`, 32);
  };
  return {
    secretId,
    derive: (purpose) => derive(secrets[0], `latchkey ${purpose} v1`, 32),
    sealData(purpose, context, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey(secretId, purpose), iv).setAAD(aad(secretId, `${purpose}:${context}`));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, secretId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    openData(purpose, context, stored) {
      const [version, sid = '', iv = '', ct = '', tag = ''] = stored.split('.');
      if (version !== VERSION) throw new ConfigError(`a stored ${purpose} value has an unknown encryption format`);
      const key = dataKey(sid, purpose);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(aad(sid, `${purpose}:${context}`));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new ConfigError(`a stored ${purpose} value does not decrypt under secret ${sid}: it was altered`);
      }
    },
    seal(kid, privateJwk) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv).setAAD(aad(secretId, kid));
      const ct = Buffer.concat([cipher.update(privateJwk, 'utf8'), cipher.final()]);
      return [VERSION, secretId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(kid, stored) {
      if (isClear(stored)) return stored;
      const [version, sid = '', iv = '', ct = '', tag = ''] = stored.split('.');
      if (version !== VERSION) throw new ConfigError(`signing key ${kid}: unknown encryption format "${version}"`);
      const kek = keks.get(sid);
      if (!kek) {
        throw new ConfigError(
          `the signing key ${kid} is encrypted under the secret with id ${sid}, but the configured secret has id ${secretId}: ` +
            'configure the secret the keys were encrypted with (LATCHKEY_SECRET, LATCHKEY_SECRET_FILE, or "secret" / "secretFile")',
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url')).setAAD(aad(sid, kid));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new ConfigError(`the signing key ${kid} does not decrypt under secret ${sid}: the stored value was altered`);
      }
    },
  };
}
