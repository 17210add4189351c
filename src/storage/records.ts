// The records the stores keep (ARCHITECTURE.md rules 5 and 6). Times are epoch seconds.

/**
 * The grants a client may use (RFC 6749 §4.1, §6, §4.4; RFC 8628 §3.4 the device code; RFC 8693 token exchange).
 *
 * @example
 * ```ts
 * import type { GrantType } from 'latchkey';
 *
 * const grantTypes: GrantType[] = ['authorization_code', 'refresh_token'];
 * ```
 */
export type GrantType =
  | 'authorization_code'
  | 'refresh_token'
  | 'client_credentials'
  | 'urn:ietf:params:oauth:grant-type:device_code'
  | 'urn:ietf:params:oauth:grant-type:token-exchange';
/**
 * How a client authenticates at the token endpoint (RFC 7591 §2 `token_endpoint_auth_method`).
 *
 * @example
 * ```ts
 * import type { ClientAuthMethod } from 'latchkey';
 *
 * const method: ClientAuthMethod = 'client_secret_basic';
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/**
 * A JSON Web Key Set (RFC 7517 §5) of public keys, as a `private_key_jwt` client registers it.
 *
 * @example
 * ```ts
 * import type { ClientJwks } from 'latchkey';
 *
 * const jwks: ClientJwks = { keys: [{ kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: 'k1', alg: 'ES256' }] };
 * ```
 */
export interface ClientJwks {
  keys: Record<string, unknown>[];
}

/** RFC 7591 §2 client metadata, as Latchkey keeps it. */
export interface ClientRecord {
  clientId: string;
  /** SHA-256 (base64url) of the client secret; null for a public client. */
  secretHash: string | null;
  name: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: ClientAuthMethod;
  /** Space-separated scopes the client may request; also the default when a request names none. */
  scope: string;
  createdAt: number;
  /** OIDC RP-Initiated Logout §3.1: where the client may be sent after sign-out (exact match). */
  postLogoutRedirectUris: string[];
  /** RFC 8707: the resources (audiences) the client may ask tokens for, besides the default audience. */
  resources: string[];
  /** Absolute refresh token lifetime in seconds; the server default when null. */
  refreshTokenTtl: number | null;
  /** Idle refresh token lifetime (unused for this long, it expires); the server default when null. */
  refreshTokenIdleTtl: number | null;
  /** When the client was disabled; null while it is enabled. A disabled client is refused everywhere. */
  disabledAt: number | null;
  /** RFC 7591 §2 `jwks`: the public keys of a `private_key_jwt` client (absent or null: none). */
  jwks?: ClientJwks | null;
  /** RFC 7591 §2 `jwks_uri`: where the public keys of a `private_key_jwt` client are published. */
  jwksUri?: string | null;
  /** RFC 9126 §6: this client must push its authorization requests. */
  requirePushedAuthorizationRequests?: boolean;
  /** RFC 9449 §5.2: this client's access tokens are always DPoP-bound (a request without a proof is refused). */
  dpopBoundAccessTokens?: boolean;
  /** Every sign-in for this client needs a second factor (`latchkey clients update --require-mfa`). */
  requireMfa?: boolean;
  /** OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed (absent or null: none). */
  backchannelLogoutUri?: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.2: the client needs `sid` in its logout tokens. */
  backchannelLogoutSessionRequired?: boolean;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  createdAt: number;
  /** When the account was disabled; null while it is enabled. A disabled account cannot sign in. */
  disabledAt: number | null;
  /** Roles given by the operator, emitted as a claim when configured (`claims.roles`). */
  roles: string[];
  /** Groups given by the operator, emitted as a claim when configured (`claims.groups`). */
  groups: string[];
}

/** The aggregate that ties a code, its refresh tokens and access tokens together. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string | null;
  scope: string;
  authTime: number | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** RFC 8707: the resources the grant covers; empty for the default audience. */
  resources: string[];
  /** OIDC Back-Channel Logout 1.0 §2.4: the `sid` of the login session the grant was issued in. */
  sid?: string | null;
  /** How the user authenticated for the grant (RFC 8176), and the acr satisfied: refreshed ID tokens carry them. */
  amr?: string[];
  acr?: string | null;
}

export interface CodeRecord {
  codeHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  authTime: number;
  expiresAt: number;
  consumedAt: number | null;
  /** RFC 8176: how the user authenticated, for the ID token's `amr`. */
  amr?: string[];
  /** The `acr` the ID token carries (only when the request asked with acr_values), else null. */
  acr?: string | null;
  /** RFC 9449 §10: the JWK thumbprint of the `dpop_jkt` request parameter; the code exchange must prove it. */
  dpopJkt?: string | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  scope: string;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
  /** Set at rotation: the hash of the refresh token that replaced this one. */
  replacedBy: string | null;
  /** Set at rotation: the successor's token response, sealed with this token (src/tokens/successor.ts). */
  successor: string | null;
  /** RFC 9449 §5: the JWK SHA-256 thumbprint a public client's refresh token is bound to. */
  dpopJkt?: string | null;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
  /** RFC 8176 amr values of the authentication behind the session (stored as `pwd` when absent). */
  amr?: string[];
  /**
   * OIDC Back-Channel Logout 1.0 §2.4 / Front-Channel Logout §3 `sid`: a random, non-secret id of the
   * session (never the cookie or its hash); null for sessions begun before it existed.
   */
  sid?: string | null;
}

/** The parameters of a validated authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
export interface AuthorizationParams {
  clientId: string;
  /** Where the response goes: the redirect_uri sent, or the only one registered. */
  redirectUri: string;
  /** Whether redirect_uri was in the request (RFC 6749 §4.1.3 then requires it at the token endpoint). */
  redirectUriGiven: boolean;
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string;
  prompt: ('login' | 'consent' | 'none')[];
  maxAge: number | null;
  /** RFC 8707 resource indicators sent with the request. */
  resources: string[];
  /** OIDC Core §3.1.2.1 `login_hint`: the username the login page starts with (absent when not sent). */
  loginHint?: string;
  /** OIDC Core §3.1.2.1 `ui_locales`: the languages asked for the pages, in order (absent when not sent). */
  uiLocales?: string[];
  /** RFC 8628: set when the request comes from the device page; the outcome goes to this device code. */
  deviceCodeHash?: string;
  /** OIDC Core §3.1.2.1 acr_values, in order of preference (absent in requests stored before). */
  acrValues?: string[];
  /** RFC 9449 §10 `dpop_jkt`: the thumbprint of the key the code will be bound to (absent when not sent). */
  dpopJkt?: string;
}

/** The only bridge between the pages and the protocol: one pending authorization request. */
export interface InteractionRecord {
  id: string;
  params: AuthorizationParams;
  /** SHA-256 of the browser's CSRF cookie when the request began: the interaction belongs to that browser. */
  browserHash: string;
  userId: string | null;
  authTime: number | null;
  expiresAt: number;
  /** The consent step was passed in this interaction (its recorded outcome). */
  consented: boolean;
  /** RFC 8176 amr values of the authentication recorded within this interaction, if any. */
  amr?: string[] | null;
}

export interface KeyRecord {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  /** The private JWK sealed under the key-encryption secret (tokens/seal.ts); clear only in databases older than that. */
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  /** Signs from this time on (published before). */
  activatesAt: number;
  /** Stops signing at this time; stays published until `expiresAt`. */
  retiresAt: number | null;
  expiresAt: number | null;
  /**
   * The kid of the newest key of this alg when this one was made ('' for the first): at most one key
   * replaces a given key, so that concurrent rotations add one key, not two.
   */
  replaces: string | null;
}

/** A client registered dynamically (RFC 7591 §3): what its configuration endpoint (RFC 7592) needs. */
export interface RegistrationRecord {
  clientId: string;
  /** SHA-256 of the registration access token (RFC 7592 §3). */
  tokenHash: string;
  createdAt: number;
  /** Removed by cleanup if still unused at this time; null once the client was used. */
  unusedUntil: number | null;
}

/** One page of a listing ordered by a key: the rows after `after` (exclusive), at most `limit`. */
export interface PageQuery {
  after?: string | undefined;
  limit: number;
}
