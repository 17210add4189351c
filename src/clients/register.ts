// RFC 7591 §2: creating a client record (used by the CLI and the demo set-up).
import type { ClientAuthMethod, ClientRecord, GrantType } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { redirectUriProblem, resourceProblem } from './redirect-uri.ts';

export interface NewClient {
  name: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  public?: boolean;
  scope?: string;
  grantTypes?: GrantType[];
  tokenEndpointAuthMethod?: ClientAuthMethod;
  /** RFC 8707 resources the client may ask tokens for. */
  resources?: string[];
  refreshTokenTtl?: number;
  refreshTokenIdleTtl?: number;
  clientId?: string;
  clientSecret?: string;
}

const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];

/** The scopes a client gets when it names none: those of sign-in, for a client that signs people in. */
export const DEFAULT_CLIENT_SCOPE = 'openid profile email offline_access';

/** The metadata buildClient validates: everything but the identity, secret and times. */
export type ClientMetadata = Omit<ClientRecord, 'clientId' | 'secretHash' | 'createdAt' | 'disabledAt'>;

/**
 * Validates the metadata of a new or changed client. With no scope given, a client of the
 * authorization code grant gets the sign-in scopes; any other client (client credentials) none, since
 * that grant refuses scopes about a person.
 */
export function clientMetadata(input: NewClient, supportedScopes: readonly string[]): ClientMetadata {
  if (!input.name.trim()) throw new Error('a client needs a name');
  const grantTypes = [...new Set(input.grantTypes ?? (['authorization_code', 'refresh_token'] as GrantType[]))];
  for (const g of grantTypes)
    if (!GRANT_TYPES.includes(g)) throw new Error(`grant type "${g}" is not supported: use ${GRANT_TYPES.join(', ')}`);
  const redirectUris = input.redirectUris ?? [];
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new Error('a client of the authorization code grant needs at least one redirect URI');
  }
  for (const uri of [...redirectUris, ...(input.postLogoutRedirectUris ?? [])]) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new Error(`redirect URI "${uri}" ${problem}`);
  }
  for (const resource of input.resources ?? []) {
    const problem = resourceProblem(resource);
    if (problem) throw new Error(`resource "${resource}" ${problem}`);
  }
  const scope = input.scope ?? (grantTypes.includes('authorization_code') ? DEFAULT_CLIENT_SCOPE : '');
  for (const s of scope.split(' ').filter(Boolean)) {
    if (!supportedScopes.includes(s)) {
      throw new Error(`scope "${s}" is not supported: add it to the "scopes" configuration key first`);
    }
  }
  const method = input.tokenEndpointAuthMethod ?? (input.public ? 'none' : 'client_secret_basic');
  if (input.public && method !== 'none') throw new Error('a public client authenticates with "none"');
  // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
  if (method === 'none' && grantTypes.includes('client_credentials')) throw new Error('a public client cannot use client_credentials');
  for (const [name, ttl] of [
    ['refresh token lifetime', input.refreshTokenTtl],
    ['refresh token idle lifetime', input.refreshTokenIdleTtl],
  ] as const) {
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) throw new Error(`the ${name} must be a positive number of seconds`);
  }
  return {
    name: input.name.trim(),
    redirectUris,
    grantTypes,
    tokenEndpointAuthMethod: method,
    scope: [...new Set(scope.split(' ').filter(Boolean))].join(' '),
    postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    resources: input.resources ?? [],
    refreshTokenTtl: input.refreshTokenTtl ?? null,
    refreshTokenIdleTtl: input.refreshTokenIdleTtl ?? null,
  };
}

/** Validates the metadata and returns the record and, for a confidential client, its secret (shown once). */
export function buildClient(
  input: NewClient,
  supportedScopes: readonly string[],
  now: number,
): {
  record: ClientRecord;
  secret: string | null;
} {
  const metadata = clientMetadata(input, supportedScopes);
  const secret = metadata.tokenEndpointAuthMethod === 'none' ? null : (input.clientSecret ?? randomToken());
  return {
    record: {
      clientId: input.clientId ?? randomToken(16),
      secretHash: secret === null ? null : hashToken(secret),
      ...metadata,
      createdAt: now,
      disabledAt: null,
    },
    secret,
  };
}
