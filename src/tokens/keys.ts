// RFC 7517: the signing keys, kept in the database, published as a JWK Set (RFC 7517 §5).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError } from '../config/schema.ts';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { isClear, type KeySealer } from './seal.ts';

export type SigningAlg = KeyRecord['alg'];

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  key: KeyObject;
  publicKey: KeyObject;
}

/** The keys one server signs with and publishes, loaded from the store. */
export interface KeyRing {
  /** The newest active key for `alg`. */
  signing(alg: SigningAlg): ActiveKey;
  /** Public keys to verify our own tokens, by kid. */
  verifying(kid: string): ActiveKey | undefined;
  /**
   * `verifying(kid)`, but an unknown kid first reloads the ring from the store: another instance may
   * have rotated. Such reloads are rate limited, so a flood of made-up kids costs one query a second.
   */
  resolve(kid: string): Promise<ActiveKey | undefined>;
  /** The JWK Set for the JWKS endpoint (public parts only). */
  jwks(): { keys: JWK[] };
  reload(): Promise<void>;
  /** Seals the keys this server creates (scheduled rotation). */
  readonly sealer: KeySealer;
}

/** What the command line and the log tell an operator whose server has no active signing key. */
export const NO_ACTIVE_KEY_HELP = 'restart the server (start-up always activates a key) or run "latchkey keys rotate --immediately"';

export interface NewKeyOptions {
  sealer: KeySealer;
  /** Signs from this time (default: at once). */
  activatesAt?: number;
  /** The kid of the newest key of this alg ('' when there is none): see KeyRecord.replaces. */
  replaces?: string;
}

/** Generates a key pair for `alg` as a store record (RFC 7638 thumbprint as kid), its private part sealed. */
export async function generateKeyRecord(alg: SigningAlg, now: number, opts: NewKeyOptions): Promise<KeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const publicJwk = await exportJWK(publicKey);
  return toKeyRecord(alg, publicJwk, await exportJWK(privateKey), now, opts);
}

/**
 * An operator's private key (a JWK) as a store record, checked against `alg` (RFC 7518 §3.1: RS256 is
 * RSA of 2048 bits or more, ES256 the P-256 curve; RFC 8037 §3.1: EdDSA here is Ed25519). Throws a
 * one-line Error when the JWK is not a private key of that kind.
 */
export async function keyRecordFromJwk(jwk: JWK, alg: SigningAlg, now: number, opts: NewKeyOptions): Promise<KeyRecord> {
  if (typeof jwk.d !== 'string') throw new Error('the JWK is not a private key (it has no "d")');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: jwk, format: 'jwk' } as never);
  } catch (e) {
    throw new Error(`the JWK cannot be read as a key: ${(e as Error).message}`);
  }
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    alg === 'RS256'
      ? key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048
      : alg === 'ES256'
        ? key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1'
        : key.asymmetricKeyType === 'ed25519';
  if (!fits) throw new Error(`the JWK is not a key for ${alg} (RS256: RSA of 2048 bits or more, ES256: P-256, EdDSA: Ed25519)`);
  const publicJwk = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  return toKeyRecord(alg, publicJwk, key.export({ format: 'jwk' }) as JWK, now, opts);
}

/** A key pair as a store record: the RFC 7638 thumbprint as kid, the private part sealed. */
async function toKeyRecord(alg: SigningAlg, publicJwk: JWK, privateJwk: JWK, now: number, opts: NewKeyOptions): Promise<KeyRecord> {
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    alg,
    privateJwk: opts.sealer.seal(kid, JSON.stringify({ ...privateJwk, kid, alg })),
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    createdAt: now,
    activatesAt: opts.activatesAt ?? now,
    retiresAt: null,
    expiresAt: null,
    replaces: opts.replaces ?? null,
  };
}

/**
 * The kid of the newest key of `alg` ('' when there is none), as `replaces` of the key that follows
 * it: the end of the chain of replacements (no key replaces it), not merely the latest `createdAt`,
 * since two keys made within one second have the same.
 */
export function newestKid(keys: KeyRecord[], alg: SigningAlg): string {
  const ofAlg = keys.filter((k) => k.alg === alg);
  const replaced = new Set(ofAlg.map((k) => k.replaces));
  let newest: KeyRecord | undefined;
  for (const k of ofAlg) if (!replaced.has(k.kid) && (!newest || k.createdAt > newest.createdAt)) newest = k;
  return newest?.kid ?? '';
}

/**
 * Start-up: seals keys stored in clear by older versions, and makes sure every alg has a key that
 * signs now. A key published but not yet active (`keys rotate` before the first start) is
 * activated rather than left waiting with nothing to sign. Returns what it changed, to be logged.
 * A key the secret cannot open is a ConfigError, thrown before anything is written.
 */
export async function ensureKeys(
  store: KeyStore,
  algs: SigningAlg[],
  now: number,
  sealer: KeySealer,
): Promise<{ sealed: string[]; activated: string[]; created: string[] }> {
  const done = { sealed: [] as string[], activated: [] as string[], created: [] as string[] };
  const stored = await store.list();
  // A wrong secret stops start-up here, before anything is changed.
  for (const k of stored) if (k.expiresAt === null || k.expiresAt > now) sealer.open(k.kid, k.privateJwk);
  for (const k of stored) {
    if (isClear(k.privateJwk) && (await store.reseal(k.kid, k.privateJwk, sealer.seal(k.kid, k.privateJwk)))) done.sealed.push(k.kid);
  }
  for (const alg of new Set(algs)) {
    // Twice at most: a lost race means another process just added the key this one wanted.
    for (let attempt = 0; attempt < 2; attempt++) {
      const keys = (await store.list()).filter((k) => k.alg === alg);
      const live = keys.filter((k) => k.retiresAt === null || k.retiresAt > now);
      if (live.some((k) => k.activatesAt <= now)) break;
      const pending = live.filter((k) => k.retiresAt === null).sort((a, b) => a.activatesAt - b.activatesAt)[0];
      if (pending) {
        await store.activate(pending.kid, now);
        done.activated.push(pending.kid);
        break;
      }
      const key = await generateKeyRecord(alg, now, { sealer, replaces: newestKid(keys, alg) });
      if (await store.create(key)) {
        done.created.push(key.kid);
        break;
      }
    }
  }
  return done;
}

export interface KeyRingOptions {
  /** Opens the stored private keys. */
  sealer: KeySealer;
  /** Minimum time between reloads caused by unknown kids (ms, default 1000). */
  missReloadMs?: number;
  /** Told about a key this process cannot open after start-up (another secret); it is not used to sign. */
  onUnreadable?: (kid: string, err: Error) => void;
}

/**
 * Loads the keys from the store into memory (private keys as KeyObjects, opened once per kid). A key
 * that cannot be opened at load time is a ConfigError naming the secret it was sealed under.
 */
export async function loadKeyRing(store: KeyStore, clock: () => number, opts: KeyRingOptions): Promise<KeyRing> {
  const missReloadMs = opts.missReloadMs ?? 1000;
  let started = false;
  const unreadable = new Set<string>();
  let published: KeyRecord[] = [];
  let byKid = new Map<string, ActiveKey>();
  let jwks: { keys: JWK[] } = { keys: [] };
  let inflight: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let lastMissReload = Number.NEGATIVE_INFINITY;

  // Concurrent callers share loads instead of each querying the store. A load already under way may
  // have read the store before the caller's change (a rotation), so one more is queued after it.
  function reload(): Promise<void> {
    if (!inflight) {
      inflight = load().finally(() => {
        inflight = undefined;
      });
      return inflight;
    }
    queued ??= inflight
      .catch(() => {})
      .then(() => {
        queued = undefined;
        return reload();
      });
    return queued;
  }

  async function load() {
    const now = clock();
    published = (await store.list()).filter((k) => k.expiresAt === null || k.expiresAt > now);
    const next = new Map<string, ActiveKey>();
    for (const k of published) {
      const known = byKid.get(k.kid);
      if (known) {
        next.set(k.kid, known);
        continue;
      }
      try {
        const key = createPrivateKey({ key: JSON.parse(opts.sealer.open(k.kid, k.privateJwk)) as JWK, format: 'jwk' } as never);
        next.set(k.kid, { kid: k.kid, alg: k.alg, key, publicKey: createPublicKey(key) });
      } catch (e) {
        const err = e instanceof ConfigError ? e : new ConfigError(`the signing key ${k.kid} cannot be read: ${(e as Error).message}`);
        if (!started) throw err;
        if (!unreadable.has(k.kid)) opts.onUnreadable?.(k.kid, err);
        unreadable.add(k.kid);
      }
    }
    byKid = next;
    jwks = { keys: published.map((k) => JSON.parse(k.publicJwk) as JWK) };
  }
  await reload();
  started = true;

  return {
    signing(alg) {
      const now = clock();
      let best: KeyRecord | undefined;
      for (const k of published) {
        if (k.alg !== alg || k.activatesAt > now || (k.retiresAt !== null && k.retiresAt <= now)) continue;
        if (!byKid.has(k.kid)) continue;
        if (!best || k.activatesAt > best.activatesAt) best = k;
      }
      const key = best && byKid.get(best.kid);
      if (!key) throw new Error(`no active ${alg} signing key: ${NO_ACTIVE_KEY_HELP}`);
      return key;
    },
    verifying(kid) {
      return byKid.get(kid);
    },
    async resolve(kid) {
      const known = byKid.get(kid);
      if (known) return known;
      // Wall-clock time, not `clock`: this bounds load, whatever time the server believes it is.
      const t = performance.now();
      if (t - lastMissReload < missReloadMs) {
        if (inflight) await inflight;
        return byKid.get(kid);
      }
      lastMissReload = t;
      await reload();
      return byKid.get(kid);
    },
    jwks() {
      return jwks;
    },
    reload,
    sealer: opts.sealer,
  };
}
