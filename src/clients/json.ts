// RFC 7591 §2 and §3.2.1: a client record in the registration field names, as the CLI's --json output
// and the admin API show it, and the same names read back into a NewClient.
import type { ClientAuthMethod, ClientRecord, GrantType } from '../storage/types.ts';
import { type ClientChanges, definedOnly } from './lifecycle.ts';
import type { NewClient } from './register.ts';

/** The client as RFC 7591 §3.2.1 names its metadata (the secret only when given: shown once). */
export function clientJson(c: ClientRecord, secret?: string | null): Record<string, unknown> {
  return {
    client_id: c.clientId,
    // RFC 7591 §3.2.1: client_secret_expires_at is REQUIRED with a secret; 0 means it does not expire.
    ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.grantTypes,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    scope: c.scope,
    resources: c.resources,
    ...(c.refreshTokenTtl !== null ? { refresh_token_ttl: c.refreshTokenTtl } : {}),
    ...(c.refreshTokenIdleTtl !== null ? { refresh_token_idle_ttl: c.refreshTokenIdleTtl } : {}),
    ...(c.jwks ? { jwks: c.jwks } : {}),
    ...(c.jwksUri ? { jwks_uri: c.jwksUri } : {}),
    require_pushed_authorization_requests: c.requirePushedAuthorizationRequests ?? false,
    dpop_bound_access_tokens: c.dpopBoundAccessTokens ?? false,
    require_mfa: c.requireMfa === true,
    // OIDC Back-Channel Logout 1.0 §2.2.
    ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri } : {}),
    backchannel_logout_session_required: c.backchannelLogoutSessionRequired === true,
    client_id_issued_at: c.createdAt,
    disabled: c.disabledAt !== null,
    ...(c.disabledAt !== null ? { disabled_at: c.disabledAt } : {}),
  };
}

/** The fields of a JSON object, typed one by one; a wrong type is an Error naming the field. */
export class Fields {
  readonly #o: Record<string, unknown>;
  constructor(o: Record<string, unknown>, allowed: readonly string[]) {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`unknown field "${k.slice(0, 60)}"`);
    this.#o = o;
  }
  has(k: string): boolean {
    return this.#o[k] !== undefined;
  }
  string(k: string, max = 2000): string | undefined {
    const v = this.#o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length > max) throw new Error(`"${k}" must be a string of at most ${max} characters`);
    return v;
  }
  nullableString(k: string, max = 2000): string | null | undefined {
    return this.#o[k] === null ? null : this.string(k, max);
  }
  strings(k: string, maxItems = 100): string[] | undefined {
    const v = this.#o[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > maxItems || v.some((s) => typeof s !== 'string' || s.length > 2000)) {
      throw new Error(`"${k}" must be a list of at most ${maxItems} strings`);
    }
    return v as string[];
  }
  integer(k: string): number | undefined {
    const v = this.#o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`"${k}" must be a whole number`);
    return v;
  }
  boolean(k: string): boolean | undefined {
    const v = this.#o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new Error(`"${k}" must be true or false`);
    return v;
  }
}

const CHANGEABLE = [
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'resources',
  'scope',
  'refresh_token_ttl',
  'refresh_token_idle_ttl',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
] as const;

/** RFC 7591 §2 metadata that may change after registration, read from a JSON object. */
export function clientChangesFromJson(o: Record<string, unknown>): ClientChanges {
  const f = new Fields(o, CHANGEABLE);
  return {
    name: f.string('client_name', 200),
    redirectUris: f.strings('redirect_uris'),
    postLogoutRedirectUris: f.strings('post_logout_redirect_uris'),
    grantTypes: f.strings('grant_types', 10) as GrantType[] | undefined,
    resources: f.strings('resources'),
    scope: f.string('scope'),
    refreshTokenTtl: f.integer('refresh_token_ttl'),
    refreshTokenIdleTtl: f.integer('refresh_token_idle_ttl'),
    backchannelLogoutUri: f.nullableString('backchannel_logout_uri'),
    backchannelLogoutSessionRequired: f.boolean('backchannel_logout_session_required'),
  };
}

/** An RFC 7591 §2 registration request read into a NewClient (validated later by clientMetadata). */
export function newClientFromJson(o: Record<string, unknown>): NewClient {
  const f = new Fields(o, [...CHANGEABLE, 'token_endpoint_auth_method', 'client_id', 'client_secret']);
  const name = f.string('client_name', 200);
  if (name === undefined) throw new Error('"client_name" is required');
  const method = f.string('token_endpoint_auth_method', 40);
  const changes = definedOnly(clientChangesFromJson(Object.fromEntries(CHANGEABLE.filter((k) => k in o).map((k) => [k, o[k]]))));
  const clientId = f.string('client_id', 200);
  if (clientId !== undefined && !/^[\x21-\x7e]{1,200}$/.test(clientId))
    throw new Error('"client_id" must be printable ASCII without spaces');
  const clientSecret = f.string('client_secret', 200);
  if (clientSecret !== undefined && clientSecret.length < 32) throw new Error('"client_secret" needs at least 32 characters');
  const client: NewClient = { ...changes, name };
  if (method !== undefined) {
    client.tokenEndpointAuthMethod = method as ClientAuthMethod;
    client.public = method === 'none';
  }
  if (clientId !== undefined) client.clientId = clientId;
  if (clientSecret !== undefined) client.clientSecret = clientSecret;
  return client;
}
