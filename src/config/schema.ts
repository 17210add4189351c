// Configuration: types and validation (ARCHITECTURE.md rule 7: validated once, frozen); read from
// the environment and files by sources.ts.
import { z } from 'zod';
import { resourceProblem } from '../clients/redirect-uri.ts';
import { SIGNING_ALGS } from '../tokens/algorithms.ts';
import { REGISTERED_CLAIMS } from '../tokens/registered-claims.ts';
import { adminScopes, defaults, oidcScopes } from './defaults.ts';
import { tokenExchangeConfig, trustedIssuersProblem } from './trusted-issuers.ts';

const algs = z.enum(SIGNING_ALGS);
const seconds = z.number().int().positive();
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'a scope is printable ASCII without spaces, " or \\');

// RFC 8707 §2 resources of the server-wide registry (README "MCP"): any client its policy allows may ask for them.
const registeredResource = z
  .strictObject({
    uri: z.string().refine((s) => !resourceProblem(s), 'must be an absolute URI without a fragment (RFC 8707 §2)'),
    scopes: z.array(scopeToken).default([]),
    defaultScopes: z.array(scopeToken).optional(),
    clients: z.array(z.string().min(1)).optional(),
  })
  .refine((r) => (r.defaultScopes ?? []).every((s) => r.scopes.includes(s)), 'defaultScopes must be among its scopes');

const accountClaim = z.strictObject({
  claim: z.string().regex(/^[A-Za-z][\w:./-]{0,63}$/, 'a claim name is a letter, then letters, digits or _ : . / -'),
  scope: scopeToken,
});

function throttlePolicy(maxLockSeconds: number) {
  return z
    .strictObject({ free: z.number().int().min(1), lockAfter: z.number().int().min(1), lockSeconds: seconds.max(maxLockSeconds) })
    .refine((p) => p.lockAfter > p.free, 'lockAfter must be larger than free');
}

/** The settings, validated as zod checks them; their environment variables come from this shape (sources.ts). */
export const configSchema = z.strictObject({
  port: z.number().int().min(0).max(65535),
  host: z.string().min(1),
  issuer: z
    .string()
    .refine((s) => isIssuer(s), 'must be an http(s) URL with no query or fragment (RFC 8414 §2)')
    .optional(),
  db: z.string().refine((s) => s.startsWith('sqlite:') || /^postgres(ql)?:\/\//.test(s), 'must be sqlite:PATH or postgres://…'),
  ttl: z.strictObject({
    code: seconds.max(600),
    accessToken: seconds,
    idToken: seconds,
    refreshToken: seconds,
    refreshTokenIdle: seconds,
    refreshGrace: z.number().int().min(0).max(300),
    session: seconds,
    interaction: seconds,
    pushedRequest: seconds.max(600),
    deviceCode: seconds.max(3600),
  }),
  refreshIdToken: z.boolean(),
  refreshTokens: z.enum(['offline_access', 'always']),
  accessTokenAlg: algs,
  idTokenAlg: algs,
  defaultAudience: z.string().min(1).optional(),
  // A scope, or a scope with the words the consent page shows for it.
  scopes: z.array(z.union([scopeToken, z.strictObject({ name: scopeToken, description: z.string().min(1).max(200) })])),
  resources: z.array(registeredResource).refine((list) => {
    const seen = list.map((r) => new URL(r.uri).href);
    return new Set(seen).size === seen.length;
  }, 'names one resource twice (URIs are compared as parsed URLs: scheme and host in lower case, "/" for an empty path)'),
  keys: z.strictObject({
    rotateAfter: z.number().int().min(0),
    prePublish: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600),
  }),
  theme: z.strictObject({ css: z.string().min(1).optional(), productName: z.string().min(1).max(60).optional() }),
  limits: z.strictObject({
    bodyBytes: z.number().int().min(1024),
    parameterBytes: z.number().int().min(256),
    headerBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024),
    headersTimeoutMs: z.number().int().min(100),
    requestTimeoutMs: z.number().int().min(100),
    interactionsPerMinute: z.number().int().min(1),
    keepAliveTimeoutMs: z.number().int().min(1000),
  }),
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(16)]),
  bruteForce: z.strictObject({
    windowSeconds: seconds,
    // Bounded: an attacker must never be able to lock an account for long.
    account: throttlePolicy(3600),
    ip: throttlePolicy(24 * 3600),
    client: throttlePolicy(24 * 3600),
    knownBrowserSeconds: seconds,
  }),
  // RFC 7591 / RFC 7592: dynamic client registration, off unless enabled.
  registration: z.strictObject({
    enabled: z.boolean(),
    initialAccessToken: z
      .string()
      .min(32, 'must be at least 32 characters')
      // RFC 6750 §2.1: it is sent as a Bearer token (b64token).
      .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'must be a Bearer token: letters, digits and -._~+/ only')
      .optional(),
    perMinute: z.number().int().min(1),
    unusedClientSeconds: seconds,
  }),
  clientIdMetadataDocuments: z
    .strictObject({
      enabled: z.boolean(),
      allowedHosts: z
        .array(
          z
            .string()
            .refine(
              (s) => /^[a-z0-9.-]+$/i.test(s) || /^https:\/\/[^\s]+$/.test(s),
              'must be a host name (app.example.com) or an https URL prefix (https://example.com/clients/)',
            ),
        )
        .optional(),
      minCacheSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3600),
      maxCacheSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 3600),
    })
    .refine((c) => c.minCacheSeconds <= c.maxCacheSeconds, {
      message: 'minCacheSeconds must not be larger than maxCacheSeconds',
      path: ['minCacheSeconds'],
    }),
  cors: z.strictObject({
    origins: z.array(
      z
        .string()
        .refine((s) => s === '*' || isOrigin(s), 'must be "*" or an origin such as https://app.example.com (scheme, host, port only)'),
    ),
  }),
  // Roles and groups of the built-in accounts, emitted as a claim when a scope is granted (tokens/claims.ts).
  claims: z.strictObject({ roles: accountClaim.optional(), groups: accountClaim.optional() }),
  admin: z.strictObject({
    enabled: z.boolean(),
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().min(1).optional(),
    auditRetentionDays: z.number().int().min(0).max(3650),
  }),
  requirePushedAuthorizationRequests: z.boolean(),
  dpop: z.strictObject({ iatWindow: seconds.max(600), nonce: z.boolean() }),
  tokenExchange: tokenExchangeConfig,
  outboundFetch: z.strictObject({
    allowLoopback: z.boolean(),
    timeoutMs: z.number().int().min(100).max(60_000),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024),
  }),
  // OIDC Back-Channel Logout 1.0 §2.5: delivering logout tokens (backchannel-logout/worker.ts).
  backchannelLogout: z.strictObject({
    timeoutMs: z.number().int().min(100).max(60_000),
    maxAttempts: z.number().int().min(1).max(20),
    retryBaseMs: z.number().int().min(10).max(3_600_000),
    pollIntervalMs: z.number().int().min(50).max(600_000),
  }),
  mfa: z.strictObject({
    required: z.boolean(),
    // WebAuthn §5.1.4: the RP ID is a registrable domain suffix of the pages' origin (never an IP address).
    rpId: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, 'must be a host name')
      .optional(),
    recentAuthSeconds: seconds,
  }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  // The key-encryption secret and its file (tokens/key-secret.ts); never stored in the database.
  secret: z.string().min(1).optional(),
  secretFile: z.string().min(1).optional(),
});

type Input = z.infer<typeof configSchema>;

/**
 * The validated, frozen configuration every part of the server receives.
 *
 * @example
 * ```ts
 * import { resolveConfig, type Config } from 'latchkey';
 *
 * const config: Config = resolveConfig({ issuer: 'https://auth.example.com' });
 * config.ttl.accessToken; // 900
 * ```
 */
export interface Config extends Omit<Input, 'issuer' | 'defaultAudience' | 'scopes'> {
  readonly issuer: string;
  readonly defaultAudience: string;
  /** The names of the configured scopes. */
  readonly scopes: readonly string[];
  /** What the consent page says for a scope, from the `{ name, description }` entries of `scopes`. */
  readonly scopeDescriptions: Readonly<Record<string, string>>;
  /** Every scope a client may be registered for: the OpenID Connect ones, `scopes` and those of `resources`. */
  readonly supportedScopes: readonly string[];
}

/**
 * Deeply partial configuration, as given by a file, the environment or code.
 *
 * @example
 * ```ts
 * import type { ConfigInput } from 'latchkey';
 *
 * const input: ConfigInput = { db: 'sqlite:./data/latchkey.db', scopes: ['api:read'], ttl: { accessToken: 600 } };
 * ```
 */
export type ConfigInput = { [K in keyof Input]?: Input[K] extends object ? Partial<Input[K]> : Input[K] };

/**
 * A bad configuration value: the message names the key and the fix.
 *
 * @example
 * ```ts
 * import { ConfigError, resolveConfig } from 'latchkey';
 *
 * try {
 *   resolveConfig({ ttl: { code: 3600 } });
 * } catch (e) {
 *   if (e instanceof ConfigError) console.error(e.message); // config: "ttl.code" Too big: …
 * }
 * ```
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function isIssuer(s: string): boolean {
  try {
    const u = new URL(s);
    // RFC 8414 §2: no query or fragment component, not even an empty one.
    return (u.protocol === 'https:' || u.protocol === 'http:') && !s.includes('?') && !s.includes('#') && !s.endsWith('/');
  } catch {
    return false;
  }
}

function isOrigin(s: string): boolean {
  try {
    return (s.startsWith('https://') || s.startsWith('http://')) && new URL(s).origin === s;
  } catch {
    return false;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `layer` over `base`, object by object, so that a layer may set one nested key alone. */
function mergeInto(base: Record<string, unknown>, layer: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const current = base[key];
    if (isPlainObject(current) && isPlainObject(value)) {
      const copy = { ...current };
      mergeInto(copy, value);
      base[key] = copy;
    } else base[key] = value;
  }
}

/** The layers as one input, merged as `resolveConfig` merges them (a layer may set one nested key). */
export function mergeConfigInputs(...layers: (ConfigInput | undefined)[]): ConfigInput {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) if (layer) mergeInto(merged, layer as Record<string, unknown>);
  return merged as ConfigInput;
}

/**
 * Merges the layers (defaults < file < environment < explicit), validates and freezes.
 *
 * @example
 * ```ts
 * import { resolveConfig } from 'latchkey';
 *
 * const config = resolveConfig({ port: 8080 }, { issuer: 'https://auth.example.com' });
 * config.issuer; // 'https://auth.example.com'
 * config.supportedScopes; // ['openid', 'profile', 'email', 'offline_access']
 * ```
 */
export function resolveConfig(...layers: (ConfigInput | undefined)[]): Config {
  const merged: Record<string, unknown> = structuredClone(defaults);
  for (const layer of layers) if (layer) mergeInto(merged, layer as Record<string, unknown>);
  for (const key of ['issuer', 'defaultAudience', 'secret', 'secretFile']) if (merged[key] === undefined) delete merged[key];
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || '(root)';
    throw new ConfigError(`config: "${key}" ${issue?.message ?? 'is invalid'}`);
  }
  const input = parsed.data;
  const issuer = input.issuer ?? `http://${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.port}`;
  const scopes = input.scopes.map((s) => (typeof s === 'string' ? s : s.name));
  const config: Config = {
    ...input,
    issuer,
    defaultAudience: input.defaultAudience ?? issuer,
    scopes,
    scopeDescriptions: Object.fromEntries(input.scopes.flatMap((s) => (typeof s === 'string' ? [] : [[s.name, s.description]]))),
    supportedScopes: [
      ...new Set([...oidcScopes, ...scopes, ...input.resources.flatMap((r) => r.scopes), ...(input.admin.enabled ? adminScopes : [])]),
    ],
  };
  const trustProblem = trustedIssuersProblem(issuer, config.supportedScopes, config.tokenExchange.trustedIssuers);
  if (trustProblem) throw new ConfigError(`config: ${trustProblem}`);
  for (const kind of ['roles', 'groups'] as const) {
    const c = config.claims[kind];
    if (!c) continue;
    if (REGISTERED_CLAIMS.has(c.claim))
      throw new ConfigError(`config: "claims.${kind}.claim" "${c.claim}" is a registered claim: choose another name`);
    if (!config.supportedScopes.includes(c.scope)) {
      throw new ConfigError(`config: "claims.${kind}.scope" "${c.scope}" is not a supported scope: add it to "scopes"`);
    }
  }
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
