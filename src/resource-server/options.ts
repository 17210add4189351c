// RFC 9068 §4 and RFC 6749 §3.3: validating a verifier's options once, before any token is seen.
import type { PreparedJwtCheck } from './jwt.ts';
import { checkAlgorithms, prepareJwtCheck } from './jwt.ts';
import type { PerRequestOptions } from './types.ts';

/** What a token is checked against, validated and prepared once. */
export interface Checks {
  audience: readonly string[];
  scopes: readonly string[];
  algorithms: readonly string[];
  clockTolerance: number;
  /** The same expectations in the form jose takes, for JWT access tokens. */
  jwt: PreparedJwtCheck;
}

// A scope-token (RFC 6749 §3.3).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function seconds(value: number | undefined, fallback: number, name: string, max = Number.POSITIVE_INFINITY): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new TypeError(`${name} must be a non-negative number of seconds`);
  return Math.min(result, max);
}

/** Validates `options` over `base` (the verifier's own checks) for tokens of `issuer`. */
export function checks(issuer: string, options: PerRequestOptions, base?: Checks): Checks {
  const audience = options.audience === undefined ? base?.audience : [options.audience].flat();
  if (audience === undefined || audience.length === 0 || audience.some((value) => typeof value !== 'string' || value === '')) {
    throw new TypeError('audience must be a non-empty string or list of strings');
  }
  const scopes = options.scopes ?? base?.scopes ?? [];
  for (const scope of scopes) {
    if (!SCOPE_TOKEN.test(scope)) throw new TypeError(`scope "${scope}" is not a valid scope-token (RFC 6749 §3.3)`);
  }
  const algorithms =
    options.algorithms === undefined ? (base?.algorithms ?? checkAlgorithms(undefined)) : checkAlgorithms(options.algorithms);
  const clockTolerance = seconds(options.clockTolerance, base?.clockTolerance ?? 5, 'clockTolerance');
  // Copied, so that a caller changing its arrays later cannot change what was validated.
  const result = { audience: [...audience], scopes: [...scopes], algorithms, clockTolerance };
  return { ...result, jwt: prepareJwtCheck({ ...result, issuer }) };
}

export function checkUrl(value: string, name: string): void {
  if (!URL.canParse(value)) throw new TypeError(`${name} must be an absolute URL`);
}

export function checkIssuer(issuer: string): void {
  checkUrl(issuer, 'issuer');
  const url = new URL(issuer);
  // RFC 8414 §2: an https URL without query or fragment (http is accepted for local development).
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
    throw new TypeError('issuer must be an http(s) URL without query or fragment');
  }
}

const sameList = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((value, i) => value === b[i]));

/** The per-request part of `options` as it was when its checks were prepared. */
export interface PerRequestSnapshot {
  audience: string | readonly string[];
  scopes: readonly string[] | undefined;
  algorithms: readonly string[] | undefined;
  clockTolerance: number | undefined;
}

export function snapshotPerRequest(options: PerRequestOptions & { audience: string | readonly string[] }): PerRequestSnapshot {
  const { audience, scopes, algorithms, clockTolerance } = options;
  return {
    audience: typeof audience === 'string' ? audience : [...audience],
    scopes: scopes === undefined ? undefined : [...scopes],
    algorithms: algorithms === undefined ? undefined : [...algorithms],
    clockTolerance,
  };
}

/** Whether `options` still says what `snapshot` recorded, element by element for the lists. */
export function samePerRequest(snapshot: PerRequestSnapshot, options: PerRequestOptions): boolean {
  const { audience } = options;
  return (
    (typeof snapshot.audience === 'string' || typeof audience === 'string' || audience === undefined
      ? snapshot.audience === audience
      : sameList(snapshot.audience, audience)) &&
    sameList(snapshot.scopes, options.scopes) &&
    sameList(snapshot.algorithms, options.algorithms) &&
    snapshot.clockTolerance === options.clockTolerance
  );
}
