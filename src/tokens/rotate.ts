// Key rotation (RFC 7517 §5, OIDC Core §10.1.1): a new key is published before it signs; retired
// keys stay published until every token they signed has expired, and are then deleted by cleanup.
import type { Config } from '../config/schema.ts';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { generateKeyRecord, newestKid, type SigningAlg } from './keys.ts';
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
  const algs = opts.algs ?? algsInUse(config);
  const activatesAt = now + Math.max(PUBLISH_DELAY_SECONDS, opts.immediately ? 0 : config.keys.prePublish);
  // A token signed just before retirement lives this long; its key stays published that long after.
  const longest = Math.max(config.ttl.accessToken, config.ttl.idToken) + 60;
  const created: KeyRecord[] = [];
  for (const alg of algs) {
    for (let attempt = 0; attempt < (opts.retry ? 3 : 1); attempt++) {
      const keys = (await store.list()).filter((k) => k.alg === alg);
      const key = await generateKeyRecord(alg, now, { sealer, activatesAt, replaces: newestKid(keys, alg) });
      if (!(await store.create(key))) continue;
      created.push(key);
      for (const old of keys)
        if (old.retiresAt === null || old.retiresAt > activatesAt) await store.retire(old.kid, activatesAt, activatesAt + longest);
      break;
    }
  }
  return created;
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
