// Key rotation (RFC 7517 §5, OIDC Core §10.1.1): a new key signs; retired ones stay published until
// every token they signed has expired.
import type { Config } from '../config/schema.ts';
import type { KeyRecord, KeyStore } from '../storage/types.ts';
import { generateKeyRecord } from './keys.ts';

export async function rotateKeys(store: KeyStore, config: Config, now: number): Promise<KeyRecord[]> {
  const current = (await store.list()).filter((k) => k.retiresAt === null);
  const algs = [...new Set([config.accessTokenAlg, config.idTokenAlg])];
  const created: KeyRecord[] = [];
  for (const alg of algs) {
    const key = await generateKeyRecord(alg, now);
    await store.create(key);
    created.push(key);
  }
  const longest = Math.max(config.ttl.accessToken, config.ttl.idToken);
  for (const old of current) await store.retire(old.kid, now, now + longest + 60);
  return created;
}
