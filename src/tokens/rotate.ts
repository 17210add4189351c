// Key rotation (RFC 7517 §5, OIDC Core §10.1.1): a new key is published before it signs; retired
// keys stay published until every token they signed has expired, and are then deleted by cleanup.
import type { Config } from '../config/schema.ts';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { generateKeyRecord, type SigningAlg } from './keys.ts';

export interface RotateOptions {
  /** Sign with the new keys at once instead of after `keys.prePublish`. */
  immediately?: boolean;
  /** Only these algorithms (default: every algorithm in use). */
  algs?: SigningAlg[];
}

export function algsInUse(config: Config): SigningAlg[] {
  return [...new Set([config.accessTokenAlg, config.idTokenAlg])];
}

/** Creates a new key per algorithm and schedules the current ones to retire when it activates. */
export async function rotateKeys(store: KeyStore, config: Config, now: number, opts: RotateOptions = {}): Promise<KeyRecord[]> {
  const algs = opts.algs ?? algsInUse(config);
  const activatesAt = now + (opts.immediately ? 0 : config.keys.prePublish);
  // A token signed just before retirement lives this long; its key stays published that long after.
  const longest = Math.max(config.ttl.accessToken, config.ttl.idToken) + 60;
  const current = (await store.list()).filter((k) => algs.includes(k.alg) && (k.retiresAt === null || k.retiresAt > activatesAt));
  const created: KeyRecord[] = [];
  for (const alg of algs) {
    const key = await generateKeyRecord(alg, now, activatesAt);
    await store.create(key);
    created.push(key);
  }
  for (const old of current) await store.retire(old.kid, activatesAt, activatesAt + longest);
  return created;
}

/** The automatic schedule: rotates an algorithm whose newest key is older than `keys.rotateAfter`. */
export async function rotateIfDue(store: KeyStore, config: Config, now: number): Promise<KeyRecord[]> {
  if (config.keys.rotateAfter === 0) return [];
  const keys = await store.list();
  const due = algsInUse(config).filter((alg) => {
    const newest = Math.max(0, ...keys.filter((k) => k.alg === alg).map((k) => k.createdAt));
    return now - newest >= config.keys.rotateAfter;
  });
  return due.length ? rotateKeys(store, config, now, { algs: due }) : [];
}
