// RFC 7591 §2 (client metadata) and §3.2 (the registration response), with OpenID Connect Dynamic
// Client Registration 1.0 §2 `application_type`: what a client may register for itself. The checks
// of register.ts (buildClient) apply on top; a refusal is `invalid_redirect_uri` or
// `invalid_client_metadata` (RFC 7591 §3.2.2) with a precise description.

import { OAuthError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import type { ClientAuthMethod, ClientRecord, GrantType } from '../storage/types.ts';
import { backchannelFromRegistration, backchannelMetadata } from './backchannel-metadata.ts';
import { redirectUriProblem } from './redirect-uri.ts';
import { clientMetadata, DEFAULT_CLIENT_SCOPE, type NewClient } from './register.ts';
import { registeredKeys, registrationKeys } from './registration-keys.ts';

const AUTH_METHODS: readonly ClientAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const MAX_NAME = 200;
const MAX_URIS = 20;

const badMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const badRedirect = (description: string) => new OAuthError('invalid_redirect_uri', description);

function stringList(value: unknown, name: string, max = MAX_URIS): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length > 2000) || value.length > max) {
    throw badMetadata(`${name} must be a list of at most ${max} strings`);
  }
  return value as string[];
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw badMetadata(`${name} must be a string of at most ${max} characters`);
  return value;
}

const isLoopbackHttp = (url: URL) =>
  url.protocol === 'http:' && (['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname) || url.hostname.endsWith('.localhost'));

/**
 * OIDC DCR §2: a `web` client's redirect URIs are https; a `native` client's are loopback http (any
 * port, RFC 8252 §7.3), private-use schemes (RFC 8252 §7.1) or https (RFC 8252 §7.2).
 */
function redirectProblem(uri: string, applicationType: 'web' | 'native'): string | undefined {
  const problem = redirectUriProblem(uri);
  if (problem) return `redirect URI ${problem}`;
  const url = new URL(uri);
  if (applicationType === 'web' && url.protocol !== 'https:') return 'a web client registers https redirect URIs only';
  if (applicationType === 'native' && url.protocol === 'http:' && !isLoopbackHttp(url)) {
    return 'a native client registers http redirect URIs on loopback only';
  }
  return undefined;
}

/**
 * OIDC DCR §2 makes `web` the default; but MCP clients (RFC 8252 native apps on loopback) register
 * without `application_type`, so when it is absent a client whose redirect URIs include a loopback
 * http or a private-use scheme is taken as `native`, as the MCP SDK itself derives it.
 */
function inferredType(uris: unknown): 'web' | 'native' {
  if (!Array.isArray(uris)) return 'web';
  return uris.some(
    (u) => typeof u === 'string' && URL.canParse(u) && (isLoopbackHttp(new URL(u)) || !/^https?:$/.test(new URL(u).protocol)),
  )
    ? 'native'
    : 'web';
}

/**
 * The metadata of a registration request (RFC 7591 §3.1) as a new client, or an RFC 7591 §3.2.2 error.
 * `allowLoopback` (`outboundFetch.allowLoopback`) lets a `jwks_uri` be plain http on loopback.
 */
export function registrationToClient(
  body: unknown,
  supportedScopes: readonly string[],
  options: { allowLoopback?: boolean } = {},
): NewClient {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badMetadata('the request body must be a JSON object');
  const m = body as Record<string, unknown>;
  const applicationType = m.application_type ?? inferredType(m.redirect_uris);
  if (applicationType !== 'web' && applicationType !== 'native') throw badMetadata('application_type must be web or native');
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (typeof method !== 'string' || !(AUTH_METHODS as readonly string[]).includes(method)) {
    throw badMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  const grantTypes = stringList(m.grant_types, 'grant_types', 5) ?? ['authorization_code'];
  for (const g of grantTypes) {
    if (g !== 'authorization_code' && g !== 'refresh_token') throw badMetadata('grant_types may be authorization_code and refresh_token');
  }
  // RFC 7591 §2.1: response_types must be consistent with grant_types; only `code` is supported.
  const responseTypes = stringList(m.response_types, 'response_types', 5) ?? ['code'];
  if (responseTypes.some((r) => r !== 'code')) throw badMetadata('response_types may only be code');
  const redirectUris = stringList(m.redirect_uris, 'redirect_uris') ?? [];
  if (redirectUris.length === 0) throw badRedirect('redirect_uris must name at least one redirect URI');
  for (const uri of redirectUris) {
    const problem = redirectProblem(uri, applicationType);
    if (problem) throw badRedirect(problem);
  }
  const postLogout = stringList(m.post_logout_redirect_uris, 'post_logout_redirect_uris');
  for (const uri of postLogout ?? []) {
    const problem = redirectProblem(uri, applicationType);
    if (problem) throw badMetadata(`post_logout_redirect_uris: ${problem}`);
  }
  const scope = optionalString(m.scope, 'scope', 1000);
  for (const s of splitScope(scope)) {
    if (!supportedScopes.includes(s)) throw badMetadata('scope names a scope this server does not support');
  }
  const name = optionalString(m.client_name, 'client_name', MAX_NAME)?.trim();
  const client: NewClient = {
    name: name || 'Unnamed client',
    redirectUris,
    grantTypes: grantTypes as GrantType[],
    tokenEndpointAuthMethod: method as ClientAuthMethod,
    public: method === 'none',
    scope: scope === undefined || scope.trim() === '' ? DEFAULT_CLIENT_SCOPE : scope,
  };
  if (postLogout) client.postLogoutRedirectUris = postLogout;
  Object.assign(client, registrationKeys(m, method as ClientAuthMethod, options.allowLoopback ?? false));
  Object.assign(client, backchannelFromRegistration(m));
  try {
    // The checks every client passes (register.ts), whoever creates it.
    clientMetadata(client, supportedScopes);
  } catch (e) {
    throw badMetadata((e as Error).message.replace(/"[^"]*"/g, 'a value'));
  }
  return client;
}

/** RFC 7591 §3.2.1 / RFC 7592 §3: the client information response (without the credentials). */
export function registeredMetadata(client: ClientRecord): Record<string, unknown> {
  const native = client.redirectUris.some((u) => !u.startsWith('https:'));
  const out: Record<string, unknown> = {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scope,
    application_type: native ? 'native' : 'web',
  };
  if (client.postLogoutRedirectUris.length > 0) out.post_logout_redirect_uris = client.postLogoutRedirectUris;
  Object.assign(out, registeredKeys(client));
  Object.assign(out, backchannelMetadata(client));
  return out;
}
