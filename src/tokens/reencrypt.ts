// Re-encrypting the stored private keys under a new key-encryption secret (`latchkey keys re-encrypt`).
import type { KeyStore } from '../storage/types.ts';
import { type KeySealer, sealedUnder } from './seal.ts';

export interface ReencryptResult {
  /** Keys now sealed under the new secret. */
  reencrypted: string[];
  /** Keys that already were (an earlier run that was interrupted, or run twice). */
  unchanged: string[];
}

/**
 * Opens every key with `from` (the current secret) and seals it under `to`. Every key is opened
 * before any is written, so a key under an unknown secret stops the command with nothing changed.
 * Each write is a compare-and-set: a key changed meanwhile by another process is left to it.
 */
export async function reencryptKeys(store: KeyStore, from: KeySealer, to: KeySealer): Promise<ReencryptResult> {
  const result: ReencryptResult = { reencrypted: [], unchanged: [] };
  const todo: { kid: string; stored: string; clear: string }[] = [];
  for (const k of await store.list()) {
    if (sealedUnder(k.privateJwk) === to.secretId) result.unchanged.push(k.kid);
    else todo.push({ kid: k.kid, stored: k.privateJwk, clear: from.open(k.kid, k.privateJwk) });
  }
  for (const k of todo) {
    if (await store.reseal(k.kid, k.stored, to.seal(k.kid, k.clear))) result.reencrypted.push(k.kid);
  }
  return result;
}
