// Key rotation (RFC 7517 §5, OIDC Core §10.1.1): a new key is published before it signs; retired
// keys stay published until every token they signed has expired, and are then deleted by cleanup.

import type { JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { generateKeyRecord, keyRecordFromJwk, newestKid, type SigningAlg } from './keys.ts';
import type { KeySealer } from './seal.ts';

/** Every instance reloads its keys this often (ms), so that a rotated key is published within 5 s. */
export const KEY_RELOAD_MS = 4000;

/**
 * The shortest time (s) between publishing a key and signing with it: two reload intervals and a
 * margin for slow reloads and clock skew. By then every running instance publishes the key, so no
 * instance signs with a key that another does not publish yet, even with `--immediately`.
 */
export const PUBLISH_DELAY_SECONDS = 2 * Math.ceil(KEY_RELOAD_MS / 1000) + 2;

export interface RotateOptions {
  /** Sign with the new keys after PUBLISH_DELAY_SECONDS instead of after `keys.prePublish`. */
  immediately?: boolean;
  /** Only these algorithms (default: every algorithm in use). */
  algs?: SigningAlg[];
}

export function algsInUse(config: Config): SigningAlg[] {
  return [...new Set([config.accessTokenAlg, config.idTokenAlg])];
}

/**
 * Creates a new key per algorithm and schedules the current ones to retire when it activates. An
 * algorithm that another process rotated meanwhile (the insert finds its successor taken) is left
 * to that rotation, unless `retry` asks to rotate again on top of it.
 */
export async function rotateKeys(
  store: KeyStore,
  config: Config,
  now: number,
  sealer: KeySealer,
  opts: RotateOptions & { retry?: boolean } = {},
): Promise<KeyRecord[]> {
  const created: KeyRecord[] = [];
  for (const alg of opts.algs ?? algsInUse(config)) {
    const key = await addKey(store, config, alg, now, opts, (activatesAt, replaces) =>
      generateKeyRecord(alg, now, { sealer, activatesAt, replaces }),
    );
    if (key) created.push(key);
  }
  return created;
}

/**
 * Adds an operator's own private key (a JWK) as the next key of its algorithm, published before it
 * signs exactly as a rotated one; the keys it replaces retire when it activates. Undefined when another
 * rotation of that algorithm won the race three times.
 */
export async function importKey(
  store: KeyStore,
  config: Config,
  now: number,
  sealer: KeySealer,
  jwk: JWK,
  alg: SigningAlg,
  opts: Pick<RotateOptions, 'immediately'> = {},
): Promise<KeyRecord | undefined> {
  return addKey(store, config, alg, now, { ...opts, retry: true }, (activatesAt, replaces) =>
    keyRecordFromJwk(jwk, alg, now, { sealer, activatesAt, replaces }),
  );
}

/** One new key of `alg` after the newest; the current ones retire when it activates. */
async function addKey(
  store: KeyStore,
  config: Config,
  alg: SigningAlg,
  now: number,
  opts: Pick<RotateOptions, 'immediately'> & { retry?: boolean },
  make: (activatesAt: number, replaces: string) => Promise<KeyRecord>,
): Promise<KeyRecord | undefined> {
  const activatesAt = now + Math.max(PUBLISH_DELAY_SECONDS, opts.immediately ? 0 : config.keys.prePublish);
  // A token signed just before retirement lives this long; its key stays published that long after.
  const longest = Math.max(config.ttl.accessToken, config.ttl.idToken) + 60;
  for (let attempt = 0; attempt < (opts.retry ? 3 : 1); attempt++) {
    const keys = (await store.list()).filter((k) => k.alg === alg);
    const key = await make(activatesAt, newestKid(keys, alg));
    if (!(await store.create(key))) continue;
    for (const old of keys)
      if (old.retiresAt === null || old.retiresAt > activatesAt) await store.retire(old.kid, activatesAt, activatesAt + longest);
    return key;
  }
  return undefined;
}

/**
 * The automatic schedule: rotates an algorithm whose newest key is older than `keys.rotateAfter`.
 * Every instance runs it; the conditional insert lets one of them rotate, once.
 */
export async function rotateIfDue(store: KeyStore, config: Config, now: number, sealer: KeySealer): Promise<KeyRecord[]> {
  if (config.keys.rotateAfter === 0) return [];
  const keys = await store.list();
  const due = algsInUse(config).filter((alg) => {
    const newest = Math.max(0, ...keys.filter((k) => k.alg === alg).map((k) => k.createdAt));
    return now - newest >= config.keys.rotateAfter;
  });
  return due.length ? rotateKeys(store, config, now, sealer, { algs: due }) : [];
}
