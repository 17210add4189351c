// RFC 7591 §2 `jwks` / `jwks_uri` and RFC 7517 §5: the public keys a `private_key_jwt` client signs
// with. A `jwks_uri` is fetched with http/safe-fetch.ts, cached, and fetched again on an unknown
// `kid` at most once per `refetchSeconds`, so that a client rotating its keys is followed at once and
// a stream of unknown kids costs one fetch per interval.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, errors as joseErrors } from 'jose';
import { ExpiringCache } from '../cache.ts';
import { type SafeFetchOptions, safeFetch } from '../http/safe-fetch.ts';
import type { ClientJwks, ClientRecord } from '../storage/types.ts';
import { CLIENT_ASSERTION_ALGS } from '../tokens/algorithms.ts';
import { invalidClient } from './methods/invalid-client.ts';

type Resolver = ReturnType<typeof createLocalJWKSet>;
type Key = Awaited<ReturnType<Resolver>>;

/** The curves of signing keys (RFC 7518 §6.2.1.1, RFC 8037 §2): no X25519, which only agrees keys. */
const SIGNING_CURVES: Record<string, readonly string[]> = { EC: ['P-256', 'P-384', 'P-521'], OKP: ['Ed25519'] };
/** RFC 7518 §3.3: RSA keys of 2048 bits or more (a modulus of at least 256 octets). */
const MIN_RSA_MODULUS_OCTETS = 256;
/** A client's JWK Set holds a few keys (rotation needs two); more is a mistake or an attack. */
export const MAX_CLIENT_KEYS = 20;

/**
 * Why a JWK cannot be a client's key: not an object, a private or symmetric key (RFC 7517 §5), a key
 * for another use or algorithm than signing client assertions, a weak RSA key, or no key at all.
 */
export function jwkProblem(jwk: unknown): string | undefined {
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return 'is not a JSON object';
  const k = jwk as Record<string, unknown>;
  if (k.kty !== 'RSA' && k.kty !== 'EC' && k.kty !== 'OKP') return 'must be an RSA, EC or OKP public key';
  for (const p of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) if (p in k) return `holds private key material ("${p}")`;
  // RFC 7517 §4.2 and §4.4: a key for encryption, or for an algorithm never accepted, cannot sign an assertion.
  if (k.use !== undefined && k.use !== 'sig') return 'must have "use" "sig" when it has one';
  if (k.alg !== undefined && !(typeof k.alg === 'string' && CLIENT_ASSERTION_ALGS.includes(k.alg))) {
    return `has an "alg" that is not one of ${CLIENT_ASSERTION_ALGS.join(', ')}`;
  }
  const curves = SIGNING_CURVES[k.kty];
  if (curves && !curves.includes(String(k.crv))) return `must be on the curve ${curves.join(', ')}`;
  if (k.kty === 'RSA' && (typeof k.n !== 'string' || Buffer.from(k.n, 'base64url').length < MIN_RSA_MODULUS_OCTETS)) {
    return 'must be an RSA key of at least 2048 bits';
  }
  try {
    createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
  } catch {
    return 'is not a valid public key';
  }
  return undefined;
}

/** Validates a JWK Set of public keys; throws an Error with a one-line reason. */
export function parseClientJwks(value: unknown): ClientJwks {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error('a JWK Set is a JSON object with a "keys" array');
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0) throw new Error('the JWK Set has no key');
  if (keys.length > MAX_CLIENT_KEYS) throw new Error(`the JWK Set has more than ${MAX_CLIENT_KEYS} keys`);
  keys.forEach((k, i) => {
    const problem = jwkProblem(k);
    if (problem) throw new Error(`key ${i} of the JWK Set ${problem}`);
  });
  return { keys: keys as Record<string, unknown>[] };
}

export interface ClientKeysOptions {
  /** How long a fetched JWK Set is used before it is fetched again (default 300 s). */
  ttlSeconds?: number;
  /** The least time between two fetches of one URI (default 60 s). */
  refetchSeconds?: number;
  /** Options of each fetch (loopback only for tests and development). */
  fetch?: SafeFetchOptions;
  /** Client key sets kept (default 1000). */
  max?: number;
  /** Milliseconds since the epoch. */
  nowMs?: () => number;
}

interface Fetched {
  resolver: Resolver;
  fetchedAt: number;
}

/** The keys of `private_key_jwt` clients: a `jwks` as registered, a `jwks_uri` fetched and cached. */
export class ClientKeys {
  readonly #opts: Required<Omit<ClientKeysOptions, 'fetch'>> & { fetch: SafeFetchOptions };
  readonly #byUri: ExpiringCache<string, Fetched>;
  /** When each URI was last fetched (also failed fetches), kept for the refetch interval. */
  readonly #lastFetch: ExpiringCache<string, number>;
  readonly #inFlight = new Map<string, Promise<Fetched>>();

  constructor(options: ClientKeysOptions = {}) {
    this.#opts = {
      ttlSeconds: options.ttlSeconds ?? 300,
      refetchSeconds: options.refetchSeconds ?? 60,
      fetch: { maxBytes: 64 * 1024, timeoutMs: 5000, ...options.fetch },
      max: options.max ?? 1000,
      nowMs: options.nowMs ?? Date.now,
    };
    this.#byUri = new ExpiringCache(this.#opts.max);
    this.#lastFetch = new ExpiringCache(this.#opts.max);
  }

  /**
   * The key that verifies a JWS with this header, for jose's `jwtVerify`; throws `invalid_client` when
   * none. `client` is a client, or anything else with keys (a trusted issuer of token exchange).
   */
  async resolve(client: Pick<ClientRecord, 'clientId' | 'jwks' | 'jwksUri'>, header: JWSHeaderParameters): Promise<Key> {
    const token = { payload: '', signature: '' };
    if (client.jwks) return createLocalJWKSet(client.jwks as JSONWebKeySet)(header, token);
    if (!client.jwksUri) throw invalidClient(`client ${client.clientId} has no jwks or jwks_uri`);
    const uri = client.jwksUri;
    const now = this.#opts.nowMs();
    let entry = this.#byUri.get(uri, now) ?? (await this.#fetch(uri));
    try {
      return await entry.resolver(header, token);
    } catch (e) {
      // An unknown kid may be a new key: fetch again, at most once per interval.
      if (!(e instanceof joseErrors.JWKSNoMatchingKey) || this.#lastFetch.get(uri, now) !== undefined) throw e;
      entry = await this.#fetch(uri);
      return entry.resolver(header, token);
    }
  }

  #fetch(uri: string): Promise<Fetched> {
    const pending = this.#inFlight.get(uri);
    if (pending) return pending;
    const nowMs = this.#opts.nowMs;
    const { refetchSeconds, ttlSeconds } = this.#opts;
    const run = (async () => {
      this.#lastFetch.set(uri, nowMs(), nowMs() + refetchSeconds * 1000);
      let jwks: ClientJwks;
      try {
        const { body } = await safeFetch(uri, { ...this.#opts.fetch, accept: 'application/jwk-set+json, application/json' });
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        // Keys that cannot be a client's (private, symmetric) are left out rather than used.
        const keys = Array.isArray((parsed as { keys?: unknown })?.keys) ? (parsed as { keys: unknown[] }).keys : [];
        jwks = { keys: keys.filter((k) => jwkProblem(k) === undefined) as Record<string, unknown>[] };
      } catch (e) {
        throw invalidClient(`jwks_uri ${uri.slice(0, 200)} could not be used: ${(e as Error).message}`);
      }
      const fetched = { resolver: createLocalJWKSet(jwks as JSONWebKeySet), fetchedAt: nowMs() };
      this.#byUri.set(uri, fetched, nowMs() + ttlSeconds * 1000);
      return fetched;
    })();
    this.#inFlight.set(uri, run);
    return run.finally(() => this.#inFlight.delete(uri));
  }
}
