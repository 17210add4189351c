// RFC 8693 §2.1 and §3: a subject token issued by another issuer this server trusts
// (`tokenExchange.trustedIssuers`): a JWT (an access token, an ID token or any JWT) verified with
// that issuer's keys — `jwks`, or `jwks_uri` fetched with the SSRF-safe fetcher and cached as the
// keys of private_key_jwt clients are (clients/client-keys.ts) — for its `iss`, an `aud` naming this
// server or a configured audience, `exp`, `nbf` and an allowed asymmetric `alg`.
import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { ClientKeys } from '../clients/client-keys.ts';
import type { Config } from '../config/schema.ts';
import { externalSubject, type TrustedIssuer } from '../config/trusted-issuers.ts';
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';
import { CLIENT_ASSERTION_ALGS } from '../tokens/algorithms.ts';
import { splitScope } from './scope.ts';

/** RFC 8693 §3: the token types a trusted issuer's subject token may have. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

/** Clocks of the other issuer and this server may disagree by this much. */
const CLOCK_TOLERANCE = 30;

const refused = (detail: string) => new OAuthError('invalid_grant', 'the subject token is invalid, expired or not trusted', { detail });

/** The subject of an exchange, whoever issued its token. */
export interface ExchangeSubject {
  sub: string;
  /** The scopes the new token may have: the requested scope must be among them. */
  scope: string[];
  authTime: number | null;
  /** This server's grant behind the subject token (none for another issuer's). */
  grantId: string | null;
  act?: unknown;
}

export interface ExternalSubjectDeps {
  config: Pick<Config, 'issuer' | 'tokenExchange'>;
  clientKeys: Pick<ClientKeys, 'resolve'>;
  /** Epoch seconds. */
  clock: () => number;
}

/** The `iss` a token claims, unverified (to choose how to verify it), or undefined when it is no JWT. */
export function claimedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** The trusted issuer a token claims to come from, if any. */
export function trustedIssuerOf(token: string, config: Pick<Config, 'tokenExchange'>): TrustedIssuer | undefined {
  const iss = claimedIssuer(token);
  return iss === undefined ? undefined : config.tokenExchange.trustedIssuers.find((t) => t.issuer === iss);
}

/** The token's scopes (`scope`, RFC 8693 §4.2, or a `scp` list), or undefined when it carries none. */
function tokenScopes(payload: Record<string, unknown>): string[] | undefined {
  if (typeof payload.scope === 'string') return splitScope(payload.scope);
  if (Array.isArray(payload.scp) && payload.scp.every((s) => typeof s === 'string')) return payload.scp as string[];
  return undefined;
}

/** Verifies a trusted issuer's token for `client`; an invalid_grant naming the reason in its detail otherwise. */
export async function verifyExternalSubject(
  token: string,
  trusted: TrustedIssuer,
  client: ClientRecord,
  deps: ExternalSubjectDeps,
): Promise<ExchangeSubject> {
  // Per-issuer policy: only the clients named may exchange its tokens.
  if (trusted.clients && !trusted.clients.includes(client.clientId)) {
    throw refused(`client ${client.clientId} may not exchange tokens of ${trusted.issuer}`);
  }
  const keys = { clientId: trusted.issuer, jwks: (trusted.jwks as ClientRecord['jwks']) ?? null, jwksUri: trusted.jwksUri ?? null };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, (header) => deps.clientKeys.resolve(keys, header), {
      algorithms: trusted.algorithms ?? CLIENT_ASSERTION_ALGS,
      issuer: trusted.issuer,
      // The token must have been meant for this server (or an audience configured for the issuer).
      audience: [deps.config.issuer, ...(trusted.audience ?? [])],
      requiredClaims: ['exp'],
      currentDate: new Date(deps.clock() * 1000),
      clockTolerance: CLOCK_TOLERANCE,
    }));
  } catch (e) {
    if (e instanceof OAuthError) throw refused(`keys of ${trusted.issuer}: ${e.detail ?? e.description}`);
    if (e instanceof joseErrors.JOSEError) throw refused(`token of ${trusted.issuer}: ${e.code} ${e.message}`);
    throw e;
  }
  const sub = payload[trusted.subjectClaim ?? 'sub'];
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw refused(`token of ${trusted.issuer} has no usable subject claim`);
  // Scopes: those configured for the issuer, and of those only the ones the token itself carries, if it says.
  const carried = tokenScopes(payload);
  const allowed = (trusted.scopes ?? []).filter((s) => carried === undefined || carried.includes(s));
  return { sub: externalSubject(trusted, sub), scope: allowed, authTime: null, grantId: null };
}
