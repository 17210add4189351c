// RFC 7662 §2: asking the authorization server whether an access token is active.

import { BoundedCache } from '../cache.ts';
import { hashToken } from '../tokens/opaque.ts';
import { ResourceServerError } from './errors.ts';
import type { FetchLike } from './types.ts';

/** application/x-www-form-urlencoded serialization of one value (WHATWG URL §5.2). */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * The `Authorization` header for `client_secret_basic`: the client identifier and secret are each
 * form-urlencoded, then joined by a colon and base64-encoded (RFC 6749 §2.3.1).
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  const pair = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** An introspection response (RFC 7662 §2.2) whose `active` member is `true`. */
export type ActiveIntrospection = Record<string, unknown> & { active: true };

export interface IntrospectorConfig {
  /** Resolves the endpoint URL (given, or discovered from metadata). */
  endpoint: () => Promise<string>;
  clientId: string;
  clientSecret: string;
  /** Seconds an active result may be reused; 0 disables the cache. */
  cacheSeconds: number;
  fetch: FetchLike;
  timeoutMs: number;
  maxEntries?: number;
}

export interface Introspector {
  /**
   * The active introspection response for `token`, possibly from the cache.
   * @throws {ResourceServerError} `invalid_token` when the server answers `active: false`.
   */
  introspect(token: string): Promise<ActiveIntrospection>;
}

interface CacheEntry {
  response: ActiveIntrospection;
  expiresAt: number;
}

/** Creates an introspection client with its own bounded cache of active results (RFC 7662 §4). */
export function createIntrospector(config: IntrospectorConfig): Introspector {
  const cache = new BoundedCache<string, CacheEntry>(config.maxEntries ?? 10_000);
  const pending = new Map<string, Promise<Record<string, unknown>>>();
  const authorization = basicCredentials(config.clientId, config.clientSecret);

  async function post(token: string): Promise<Record<string, unknown>> {
    const endpoint = await config.endpoint();
    const response = await config.fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`The introspection endpoint answered HTTP ${response.status}`);
    }
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Error('The introspection response is not a JSON object');
    }
    if (typeof (body as Record<string, unknown>).active !== 'boolean') {
      throw new Error('The introspection response has no boolean "active" member');
    }
    return body as Record<string, unknown>;
  }

  return {
    async introspect(token) {
      // Keyed by a digest so the cache never holds usable tokens.
      const key = hashToken(token);
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (hit.expiresAt > Date.now()) return structuredClone(hit.response);
        cache.delete(key);
      }
      let inflight = pending.get(key);
      if (inflight === undefined) {
        inflight = post(token).finally(() => pending.delete(key));
        pending.set(key, inflight);
      }
      const response = await inflight;
      if (response.active !== true) throw new ResourceServerError('invalid_token', 'The access token is not active');
      const active = response as ActiveIntrospection;
      const exp = active.exp;
      if (config.cacheSeconds > 0 && typeof exp === 'number') {
        const expiresAt = Math.min(Date.now() + config.cacheSeconds * 1000, exp * 1000);
        if (expiresAt > Date.now()) cache.set(key, { response: structuredClone(active), expiresAt });
      }
      return structuredClone(active);
    },
  };
}
