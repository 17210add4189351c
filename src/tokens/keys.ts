// RFC 7517: the signing keys, kept in the database, published as a JWK Set (RFC 7517 §5).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { KeyRecord, KeyStore } from '../storage/types.ts';

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
}

/** Generates a key pair for `alg` as a store record (RFC 7638 thumbprint as kid). */
export async function generateKeyRecord(alg: SigningAlg, now: number, activatesAt = now): Promise<KeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    privateJwk: JSON.stringify({ ...privateJwk, kid, alg }),
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    createdAt: now,
    activatesAt,
    retiresAt: null,
    expiresAt: null,
  };
}

/** Makes sure a signing key exists for each alg; creates the missing ones. */
export async function ensureKeys(store: KeyStore, algs: SigningAlg[], now: number): Promise<void> {
  const existing = await store.list();
  for (const alg of new Set(algs)) {
    if (!existing.some((k) => k.alg === alg && k.retiresAt === null)) await store.create(await generateKeyRecord(alg, now));
  }
}

/** Loads the keys from the store into memory (private keys as KeyObjects, parsed once). */
export async function loadKeyRing(store: KeyStore, clock: () => number, opts: { missReloadMs?: number } = {}): Promise<KeyRing> {
  const missReloadMs = opts.missReloadMs ?? 1000;
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
    byKid = new Map(
      published.map((k) => {
        const key = createPrivateKey({ key: JSON.parse(k.privateJwk) as JWK, format: 'jwk' } as never);
        return [k.kid, { kid: k.kid, alg: k.alg, key, publicKey: createPublicKey(key) }];
      }),
    );
    jwks = { keys: published.map((k) => JSON.parse(k.publicJwk) as JWK) };
  }
  await reload();

  return {
    signing(alg) {
      const now = clock();
      let best: KeyRecord | undefined;
      for (const k of published) {
        if (k.alg !== alg || k.activatesAt > now || (k.retiresAt !== null && k.retiresAt <= now)) continue;
        if (!best || k.activatesAt > best.activatesAt) best = k;
      }
      const key = best && byKid.get(best.kid);
      if (!key) throw new Error(`no active ${alg} signing key: run "latchkey keys rotate"`);
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
  };
}
