// RFC 7517 §5 and RFC 7515 §4.1.4: the issuer's signing keys from its JWKS, imported once per kid.
import type {
  CompactJWSHeaderParameters,
  CryptoKey,
  ExportedJWKSCache,
  FlattenedJWSInput,
  JWKSCacheInput,
  RemoteJWKSetOptions,
} from 'jose';
import { createRemoteJWKSet, jwksCache } from 'jose';

/** Resolves the verification key for a token's protected header, as jose's `jwtVerify` asks for it. */
export type KeyResolver = (header: CompactJWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** The header parameters jose selects a key of the set by. */
export interface KeySelector {
  alg?: unknown;
  kid?: unknown;
}

/** The issuer's keys: the one already imported for a header, if any, and the full lookup. */
export interface RemoteKeys {
  /** The key jose would choose for `header`, when it is known without any request. */
  cached(header: KeySelector): CryptoKey | undefined;
  /** jose's lookup through the remote set, which may fetch the JWKS; remembers what it finds. */
  resolve: KeyResolver;
}

export interface RemoteKeyOptions {
  /** The JWKS location, resolved on the first key request (it may come from the metadata). */
  jwksUri: () => Promise<string>;
  /** Passed to jose's `createRemoteJWKSet`; `cacheMaxAge` must be set. */
  jwks: RemoteJWKSetOptions & { cacheMaxAge: number };
}

// The selection jose makes depends only on `alg` and `kid` (and the key set), so both name the entry.
// Algorithm names contain no ".", so a kid cannot make two different pairs collide; a kid that is
// not a string is never cached (jose refuses it).
function cacheKey(header: KeySelector): string | undefined {
  const { alg, kid } = header;
  if (typeof alg !== 'string') return undefined;
  if (kid === undefined) return alg;
  return typeof kid === 'string' ? `${alg}.${kid}` : undefined;
}

/**
 * Keys from the issuer's JWKS through jose's `createRemoteJWKSet`, which does the fetching, the
 * cache age, and the refetch on an unknown `kid` with its cooldown. Asking the remote set for a key
 * on every token means a header copy, a scan of the set and a lookup each time, so the key it
 * returns is kept per `alg` and `kid` for as long as that set stays current and fresh.
 */
export function remoteKeys(options: RemoteKeyOptions): RemoteKeys {
  // jose writes the set and its fetch time here on every successful fetch, in the same step that
  // replaces the set it selects keys from: a new `jwks` object means the cached keys are stale.
  const exported: Partial<ExportedJWKSCache> = {};
  const { cacheMaxAge } = options.jwks;
  const byKid = new Map<string, CryptoKey>();
  let cachedFrom: unknown;

  let remote: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const getRemote = (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    remote ??= options
      .jwksUri()
      .then((uri) => createRemoteJWKSet(new URL(uri), { ...options.jwks, [jwksCache]: exported as JWKSCacheInput }))
      .catch((error: unknown) => {
        remote = undefined;
        throw error;
      });
    return remote;
  };

  // Mirrors jose's own freshness test, so that an expired set is always fetched again by jose.
  const fresh = (): boolean => exported.uat !== undefined && Number.isFinite(exported.uat) && Date.now() < exported.uat + cacheMaxAge;

  return {
    cached(header) {
      const name = cacheKey(header);
      if (name === undefined || cachedFrom === undefined || exported.jwks !== cachedFrom || !fresh()) return undefined;
      return byKid.get(name);
    },
    async resolve(header, token) {
      const set = await getRemote();
      const before = exported.jwks;
      const key = await set(header, token);
      // Only a key chosen from the set that is still current may be kept; if a fetch replaced the
      // set meanwhile, the next token asks again.
      const name = cacheKey(header);
      if (name !== undefined && before !== undefined && exported.jwks === before && fresh()) {
        if (cachedFrom !== before) {
          byKid.clear();
          cachedFrom = before;
        }
        byKid.set(name, key);
      }
      return key;
    },
  };
}
