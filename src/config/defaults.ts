// The defaults of every configuration key, in one place (see README "Configuration").
import type { TrustedIssuer } from './trusted-issuers.ts';

export const defaults = {
  port: 9000,
  host: 'localhost',
  /** Derived from host and port when not set. */
  issuer: undefined as string | undefined,
  db: 'sqlite:./data/latchkey.db',
  /** Lifetimes in seconds. */
  ttl: {
    code: 60,
    accessToken: 900,
    idToken: 3600,
    /** Absolute refresh token lifetime: the grant ends this long after sign-in, however often it is refreshed. */
    refreshToken: 30 * 24 * 3600,
    /** Idle refresh token lifetime: a refresh token unused this long expires. */
    refreshTokenIdle: 14 * 24 * 3600,
    /**
     * Grace window for a rotated refresh token presented again (parallel tabs, a retry after a lost
     * response): within it, the same successor tokens are returned; after it, reuse revokes the grant.
     */
    refreshGrace: 10,
    session: 14 * 24 * 3600,
    interaction: 900,
    /** RFC 9126 §2.2: how long a pushed authorization request (its request_uri) may be used. */
    pushedRequest: 60,
    /** RFC 8628 §3.2: how long a device code and its user code may be used. */
    deviceCode: 600,
  },
  /** Whether a refresh answer carries a new ID token (OIDC Core §12.2 makes it optional). */
  refreshIdToken: false,
  /** `offline_access`: refresh tokens only when that scope is granted; `always`: whenever the client may refresh. */
  refreshTokens: 'offline_access' as 'offline_access' | 'always',
  accessTokenAlg: 'ES256' as 'RS256' | 'ES256' | 'EdDSA',
  idTokenAlg: 'RS256' as 'RS256' | 'ES256' | 'EdDSA',
  /** `aud` of access tokens issued without a resource indicator; the issuer when not set. */
  defaultAudience: undefined as string | undefined,
  /**
   * Scopes beyond the OpenID Connect ones that clients may be registered for: a name, or
   * `{ "name": "api:read", "description": "Read your reports" }` to say on the consent page what it allows.
   */
  scopes: [] as (string | { name: string; description: string })[],
  /**
   * The server-wide resource registry (RFC 8707): `{ uri, scopes, defaultScopes?, clients? }`. Any
   * client (or only those listed in `clients`) may ask tokens for these resources and their scopes;
   * a request without `scope` gets `defaultScopes` (all `scopes` when not set).
   */
  resources: [] as { uri: string; scopes?: string[]; defaultScopes?: string[]; clients?: string[] }[],
  keys: {
    /** Rotate the signing keys automatically when the newest is this old (seconds); 0 turns it off. */
    rotateAfter: 90 * 24 * 3600,
    /** A new key is published this long before it signs, so that verifiers' JWKS caches pick it up. */
    prePublish: 3600,
  },
  theme: {
    /** Path of a stylesheet appended to the default one (it may override the --lk-* variables). */
    css: undefined as string | undefined,
    /** The product name every page shows in its wordmark and title (default: "Latchkey"). */
    productName: undefined as string | undefined,
  },
  limits: {
    bodyBytes: 64 * 1024,
    parameterBytes: 8 * 1024,
    /** All request headers together (node's maxHeaderSize); larger is answered 431. */
    headerBytes: 16 * 1024,
    /** Time to receive the request headers; a slower client is answered 408 and disconnected. */
    headersTimeoutMs: 15_000,
    /** Time to receive the whole request, body included (slow-loris bodies get 408). */
    requestTimeoutMs: 30_000,
    /**
     * Sign-in requests (interactions: a login or consent page to show) one address may begin per
     * minute; each is stored until it expires (`ttl.interaction`), so this bounds what a flood stores.
     */
    interactionsPerMinute: 300,
    /**
     * How long an idle keep-alive connection stays open: above the 60 s idle timeout of common load
     * balancers, so that the server never closes a connection the balancer is about to reuse.
     */
    keepAliveTimeoutMs: 72_000,
  },
  /**
   * Proxies in front of the server whose X-Forwarded-For / X-Forwarded-Proto / X-Request-Id are
   * believed: 0 (or false) trusts none, 1 (or true) the nearest one, n the n nearest.
   */
  trustProxy: 0 as number | boolean,
  /** Brute-force protection (see docs): growing waits after `free` failures, refusal from `lockAfter`. */
  bruteForce: {
    /** A counter is forgotten this long (seconds) after its last failure. */
    windowSeconds: 900,
    /** Per account (sign-in), whatever the address; a wait never outlasts an attack by more than a minute. */
    account: { free: 5, lockAfter: 10, lockSeconds: 60 },
    /** Per client IP address (sign-in, and separately client authentication); IPv6 counts per /64. */
    ip: { free: 20, lockAfter: 100, lockSeconds: 60 },
    /** Per client_id and IP address (client authentication: only slows the failing answers down). */
    client: { free: 5, lockAfter: 20, lockSeconds: 300 },
    /** How long a browser that signed in to an account stays exempt from the account and address limits. */
    knownBrowserSeconds: 30 * 24 * 3600,
  },
  /** Dynamic client registration (RFC 7591, RFC 7592 management); off by default. See README "MCP". */
  registration: {
    enabled: false,
    /** When set, registering needs `Authorization: Bearer <this token>` (RFC 7591 §3); anyone may register otherwise. */
    initialAccessToken: undefined as string | undefined,
    /** Registrations one address may make per minute. */
    perMinute: 10,
    /** A registered client that has no grant this long after registering is deleted. */
    unusedClientSeconds: 24 * 3600,
  },
  /**
   * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03): a `client_id`
   * that is an https URL with a path names a document fetched from it; off by default. A document on
   * loopback (http or https) is fetched only when the issuer is on loopback too. See README "MCP".
   */
  clientIdMetadataDocuments: {
    enabled: false,
    /** Host names (`app.example.com`) or URL prefixes (`https://example.com/clients/`) trusted; any host when not set. */
    allowedHosts: undefined as string[] | undefined,
    /** Bounds on how long a fetched document is kept, whatever its Cache-Control says. */
    minCacheSeconds: 60,
    maxCacheSeconds: 24 * 3600,
  },
  /**
   * Browser origins allowed to call the metadata, JWKS, token, registration and revocation
   * endpoints (CORS); `"*"` allows any origin, for the metadata and JWKS documents only.
   */
  cors: { origins: [] as string[] },
  /**
   * Per-user roles and groups (set with the admin API or `latchkey users`) go into access and ID
   * tokens under `claim` when `scope` is granted, e.g. `{ "roles": { "claim": "roles", "scope": "roles" } }`.
   */
  claims: {
    roles: undefined as { claim: string; scope: string } | undefined,
    groups: undefined as { claim: string; scope: string } | undefined,
  },
  /** The admin HTTP API under /admin/v1 (README "Admin API"). */
  admin: {
    enabled: false,
    /** Serve the admin API on its own listener (this port) instead of with the public endpoints. */
    port: undefined as number | undefined,
    /** The address of that listener (default: `host`). */
    host: undefined as string | undefined,
    /** Audit events are kept in the database this many days (0: not kept there, only logged). */
    auditRetentionDays: 30,
  },
  /** RFC 9126 §5: every client must push its authorization requests (PAR), not only those registered so. */
  requirePushedAuthorizationRequests: false,
  /** RFC 9449 (DPoP): sender-constrained access tokens. */
  dpop: {
    /** A proof's `iat` may be this many seconds from the server's clock, either way (§11.1). */
    iatWindow: 60,
    /** §8: the token endpoint asks for a server-provided nonce in every proof. */
    nonce: false,
  },
  /** RFC 8693: other issuers whose JWTs clients may exchange (README "Token exchange"). */
  tokenExchange: {
    trustedIssuers: [] as TrustedIssuer[],
  },
  /**
   * Fetching URLs that clients register (a `jwks_uri`): special-use addresses are always refused;
   * `allowLoopback` lets http://127.0.0.1 through, for tests and local development only. Client
   * metadata documents do not follow it: one on loopback is fetched only when the issuer is on loopback.
   */
  outboundFetch: { allowLoopback: false, timeoutMs: 5000, maxBytes: 64 * 1024 },
  /**
   * OIDC Back-Channel Logout 1.0: each logout token is POSTed with this timeout; a failed delivery is
   * retried after `retryBaseMs`, doubling each time, `maxAttempts` attempts in all (8 from 30 s: about
   * two hours); the queue is read every `pollIntervalMs` (and at once after a sign-out here).
   */
  backchannelLogout: { timeoutMs: 5000, maxAttempts: 8, retryBaseMs: 30_000, pollIntervalMs: 2000 },
  /** Second factors (README "Strong sign-in"). */
  mfa: {
    /** Every sign-in needs a second factor; per client with `clients update --require-mfa`. */
    required: false,
    /** The WebAuthn relying party id of passkeys; the issuer's host name when not set. */
    rpId: undefined as string | undefined,
    /** How recent (seconds) the sign-in must be for changes that weaken it (password, removing a factor). */
    recentAuthSeconds: 600,
  },
  logLevel: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
};

export const oidcScopes = ['openid', 'profile', 'email', 'offline_access'] as const;

/** The scopes of the admin API: everything, and reading only. */
export const adminScopes = ['latchkey:admin', 'latchkey:admin:read'] as const;
