// Extra claims in access tokens (RFC 9068 §2.2) and ID tokens (OIDC Core §2): roles and groups of the
// account when configured, and whatever the application's `claims` hook returns — never a claim the
// protocol defines (RFC 7519 §4.1, RFC 9068 §2.2, OIDC Core §2), which the server alone sets.
import type { Account } from '../accounts/account.ts';
import type { Config } from '../config/schema.ts';
import { REGISTERED_CLAIMS } from './registered-claims.ts';

/**
 * What a `claims` hook is told about the token being issued.
 *
 * @example
 * ```ts
 * import type { ClaimsContext } from 'latchkey';
 *
 * const tenantOf = (ctx: ClaimsContext) => (ctx.clientId === 'acme-portal' ? 'acme' : undefined);
 * ```
 */
export interface ClaimsContext {
  /** Which token: the access token or the ID token. */
  token: 'access_token' | 'id_token';
  grantType: 'authorization_code' | 'refresh_token' | 'client_credentials';
  clientId: string;
  /** The person, or the client itself for client credentials. */
  sub: string;
  /** The person's account (undefined for client credentials). */
  account: Account | undefined;
  /** The scopes of the token. */
  scope: readonly string[];
  /** The RFC 8707 resources the access token is for (empty: the default audience). */
  resources: readonly string[];
}

/**
 * Returns extra claims for a token, or undefined for none. A registered claim (`iss`, `sub`, `aud`,
 * `exp`, `scope`, …) is refused: issuing fails with a server error naming it.
 *
 * @example
 * ```ts
 * import type { ClaimsHook } from 'latchkey';
 *
 * const claims: ClaimsHook = ({ token, scope }) => (token === 'access_token' && scope.includes('api:read') ? { tenant: 'acme' } : undefined);
 * ```
 */
export type ClaimsHook = (context: ClaimsContext) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

const MAX_EXTRA_BYTES = 8 * 1024;

/** Checks extra claims; throws an Error naming the fault (a bug of the hook, answered server_error). */
export function checkExtraClaims(extra: unknown, source: string): Record<string, unknown> {
  if (extra === undefined || extra === null) return {};
  if (typeof extra !== 'object' || Array.isArray(extra)) throw new Error(`${source}: must return an object of claims or undefined`);
  for (const name of Object.keys(extra)) {
    if (REGISTERED_CLAIMS.has(name)) throw new Error(`${source}: the claim "${name}" is registered and set by the server only`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(extra);
  } catch (e) {
    throw new Error(`${source}: the claims are not JSON: ${(e as Error).message}`);
  }
  if (text === undefined || Buffer.byteLength(text) > MAX_EXTRA_BYTES)
    throw new Error(`${source}: the claims exceed ${MAX_EXTRA_BYTES} bytes of JSON`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** What computing extra claims needs. */
export interface ExtraClaimsDeps {
  config: Pick<Config, 'claims'>;
  claimsHook?: ClaimsHook | undefined;
}

/** The roles and groups of the account, each under its configured claim when its scope is granted. */
export function accountClaims(context: ClaimsContext, config: Pick<Config, 'claims'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { account, scope } = context;
  if (!account) return out;
  const { roles, groups } = config.claims;
  if (roles && scope.includes(roles.scope)) out[roles.claim] = [...(account.roles ?? [])];
  if (groups && scope.includes(groups.scope)) out[groups.claim] = [...(account.groups ?? [])];
  return out;
}

/** Every extra claim of one token: the configured account claims, then the hook's (checked). */
export async function extraClaims(context: ClaimsContext, deps: ExtraClaimsDeps): Promise<Record<string, unknown>> {
  const hooked = deps.claimsHook ? checkExtraClaims(await deps.claimsHook(context), 'the claims hook') : {};
  return { ...accountClaims(context, deps.config), ...hooked };
}

/** Whether any extra claim can be produced (so that the account is looked up only then). */
export function wantsExtraClaims(deps: ExtraClaimsDeps): boolean {
  return deps.claimsHook !== undefined || deps.config.claims.roles !== undefined || deps.config.claims.groups !== undefined;
}
