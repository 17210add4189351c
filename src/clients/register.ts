// RFC 7591 §2: creating a client record (used by the CLI and the demo set-up).
import { epochSeconds } from '../clock.ts';
import { oidcScopes } from '../config/defaults.ts';
import { joinScope, splitScope } from '../grants/scope.ts';
import type { ClientAuthMethod, ClientJwks, ClientRecord, GrantType, Storage } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { parseClientJwks } from './client-keys.ts';
import { fetchedUrlProblem } from './fetched-url.ts';
import { redirectUriProblem, resourceProblem } from './redirect-uri.ts';

/**
 * A client to register (RFC 7591 §2 metadata, in camelCase), as `latchkey clients create` takes it.
 *
 * @example
 * ```ts
 * import type { NewClient } from 'latchkey';
 *
 * const webApp: NewClient = { name: 'My App', redirectUris: ['https://app.example.com/callback'] };
 * const job: NewClient = { name: 'Nightly report', grantTypes: ['client_credentials'], scope: 'reports:read' };
 * ```
 */
export interface NewClient {
  /** Shown on the consent page. */
  name: string;
  /** Matched exactly (RFC 9700 §4.1.3); at least one for the authorization code grant. */
  redirectUris?: string[];
  /** Where RP-initiated logout may return to (OpenID Connect RP-Initiated Logout §2). */
  postLogoutRedirectUris?: string[];
  /** A public client (no secret, `token_endpoint_auth_method` `none`): a browser or native app. */
  public?: boolean;
  /** Space-delimited scopes it may ask for (default `openid profile email offline_access`). */
  scope?: string;
  /** Default `authorization_code` and `refresh_token`. */
  grantTypes?: GrantType[];
  /** Default `client_secret_basic` (`none` for a public client). */
  tokenEndpointAuthMethod?: ClientAuthMethod;
  /** RFC 8707 resources the client may ask tokens for. */
  resources?: string[];
  /** This client's absolute refresh token lifetime in seconds (default `ttl.refreshToken`). */
  refreshTokenTtl?: number;
  /** This client's refresh token idle lifetime in seconds (default `ttl.refreshTokenIdle`). */
  refreshTokenIdleTtl?: number;
  /** A chosen `client_id` (default: a random one). */
  clientId?: string;
  /** A chosen secret (default: a random one); only for a confidential client. */
  clientSecret?: string;
  /** RFC 7591 §2 `jwks`: the public keys of a `private_key_jwt` client (its method then defaults to that). */
  jwks?: ClientJwks;
  /** RFC 7591 §2 `jwks_uri`: where a `private_key_jwt` client publishes its public keys (https). */
  jwksUri?: string;
  /** RFC 9126 §6: the client must use pushed authorization requests. */
  requirePushedAuthorizationRequests?: boolean;
  /** RFC 9449 §5.2: the client's access tokens are always DPoP-bound. */
  dpopBoundAccessTokens?: boolean;
  /** OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed (https; null: none). */
  backchannelLogoutUri?: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.2: the client requires `sid` in logout tokens. */
  backchannelLogoutSessionRequired?: boolean;
}

const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

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
  // A client that signs people in (in a browser, or on a device: RFC 8628) gets the sign-in scopes.
  const signsIn = grantTypes.includes('authorization_code') || grantTypes.includes('urn:ietf:params:oauth:grant-type:device_code');
  const scope = input.scope ?? (signsIn ? DEFAULT_CLIENT_SCOPE : '');
  for (const s of splitScope(scope)) {
    if (!supportedScopes.includes(s)) {
      throw new Error(`scope "${s}" is not supported: add it to the "scopes" configuration key first`);
    }
  }
  const hasKeys = input.jwks !== undefined || input.jwksUri !== undefined;
  const method = input.tokenEndpointAuthMethod ?? (input.public ? 'none' : hasKeys ? 'private_key_jwt' : 'client_secret_basic');
  if (input.public && method !== 'none') throw new Error('a public client authenticates with "none"');
  // RFC 7591 §2: jwks and jwks_uri MUST NOT both be present.
  if (input.jwks !== undefined && input.jwksUri !== undefined) throw new Error('give jwks or jwks_uri, not both');
  if (method === 'private_key_jwt' && !hasKeys) throw new Error('a private_key_jwt client needs jwks or jwks_uri');
  if (method !== 'private_key_jwt' && hasKeys) throw new Error('jwks and jwks_uri are only for a private_key_jwt client');
  const jwks = input.jwks === undefined ? null : parseClientJwks(input.jwks);
  if (input.jwksUri !== undefined) {
    const problem = fetchedUrlProblem(input.jwksUri);
    if (problem) throw new Error(`jwks_uri "${input.jwksUri}" ${problem}`);
  }
  // OIDC Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment; https, as for jwks_uri.
  if (input.backchannelLogoutUri) {
    const problem = fetchedUrlProblem(input.backchannelLogoutUri);
    if (problem) throw new Error(`backchannel_logout_uri "${input.backchannelLogoutUri}" ${problem}`);
  }
  // RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
  if (method === 'none' && grantTypes.includes('client_credentials')) throw new Error('a public client cannot use client_credentials');
  if (method === 'none' && grantTypes.includes('urn:ietf:params:oauth:grant-type:token-exchange')) {
    throw new Error('a public client cannot use token exchange');
  }
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
    scope: joinScope(splitScope(scope)),
    postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    resources: input.resources ?? [],
    refreshTokenTtl: input.refreshTokenTtl ?? null,
    refreshTokenIdleTtl: input.refreshTokenIdleTtl ?? null,
    jwks,
    jwksUri: input.jwksUri ?? null,
    requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests ?? false,
    dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? false,
    backchannelLogoutUri: input.backchannelLogoutUri || null,
    backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired ?? false,
  };
}

/**
 * A new client_id: 128 random bits, base64url, never starting with `-` or `_` (an id that starts
 * with `-` would be taken for an option on a command line, such as `latchkey clients update ID`).
 */
function newClientId(): string {
  for (;;) {
    const id = randomToken(16);
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
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
  const usesSecret =
    metadata.tokenEndpointAuthMethod === 'client_secret_basic' || metadata.tokenEndpointAuthMethod === 'client_secret_post';
  const secret = usesSecret ? (input.clientSecret ?? randomToken()) : null;
  return {
    record: {
      clientId: input.clientId ?? newClientId(),
      secretHash: secret === null ? null : hashToken(secret),
      ...metadata,
      createdAt: now,
      disabledAt: null,
    },
    secret,
  };
}

/**
 * A registered client's credentials, returned once by {@link registerClient}.
 *
 * @example
 * ```ts
 * import { openStorage, type RegisteredClient, registerClient } from 'latchkey';
 *
 * const storage = await openStorage('sqlite:./data/latchkey.db');
 * const spa: RegisteredClient = await registerClient(storage, { name: 'Web app', public: true, redirectUris: ['https://app.example.com/cb'] });
 * spa.clientSecret; // null: a public client has no secret
 * ```
 */
export interface RegisteredClient {
  clientId: string;
  /** The secret of a confidential client (`null` for a public one): stored hashed, never shown again. */
  clientSecret: string | null;
}

/**
 * Registers a client in the database, validated as `latchkey clients create` validates it.
 *
 * @param storage the database, from {@link openStorage}
 * @param options.scopes the server's `scopes` configuration key: the scopes beyond OpenID Connect's
 *   that a client may be registered for
 * @throws {Error} with a one-line reason when the metadata is invalid (a redirect URI with a
 *   fragment, an unknown scope, a public client asking for client_credentials…)
 * @example
 * ```ts
 * import { openStorage, registerClient } from 'latchkey';
 *
 * const storage = await openStorage('sqlite:./data/latchkey.db');
 * const { clientId, clientSecret } = await registerClient(
 *   storage,
 *   { name: 'Nightly report', grantTypes: ['client_credentials'], scope: 'reports:read' },
 *   { scopes: ['reports:read'] },
 * );
 * ```
 */
export async function registerClient(
  storage: Storage,
  client: NewClient,
  options: { scopes?: readonly string[] } = {},
): Promise<RegisteredClient> {
  const { record, secret } = buildClient(client, [...oidcScopes, ...(options.scopes ?? [])], epochSeconds());
  await storage.clients.create(record);
  return { clientId: record.clientId, clientSecret: secret };
}
