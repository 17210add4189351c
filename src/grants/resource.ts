// RFC 8707: resource indicators — which audiences a token is for.

import { resourceProblem } from '../clients/redirect-uri.ts';
import type { Config } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';
import { splitScope } from './scope.ts';

/** One entry of the server-wide resource registry (config `resources`). */
export type RegisteredResource = Config['resources'][number];

/**
 * Whether two resource URIs name the same resource. Clients serialize the resource with the WHATWG
 * URL parser (the MCP SDKs send `URL.href`: `https://mcp.example.com` arrives as
 * `https://mcp.example.com/`), and MCP's "canonical server URI" takes the scheme and host in any
 * case: both sides are compared as parsed URLs, so an origin with or without its "/" and an
 * upper-case scheme or host match, while every other difference of path or query does not.
 */
export function sameResource(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/** The registry entries `client` may use (its `clients` policy; no list means any client). */
function registryFor(client: ClientRecord, config: Config): RegisteredResource[] {
  return config.resources.filter((r) => r.clients === undefined || r.clients.includes(client.clientId));
}

/**
 * RFC 8707 §2: checks the requested resources against what the client may use, and returns each
 * in its registered form (the form that goes into `aud`).
 */
export function checkResources(requested: readonly string[], client: ClientRecord, config: Config): string[] {
  const known = [...client.resources, ...registryFor(client, config).map((r) => r.uri), config.defaultAudience, config.issuer];
  const out: string[] = [];
  for (const r of requested) {
    // RFC 8707 §2: an absolute URI without a fragment, else invalid_target.
    if (resourceProblem(r)) throw new OAuthError('invalid_target', 'a resource is not an absolute URI without a fragment');
    // The issuer is this server (its UserInfo endpoint): any client may name it beside other resources.
    const registered = known.find((k) => sameResource(k, r));
    if (registered === undefined) throw new OAuthError('invalid_target', 'this client may not request tokens for that resource');
    if (!out.includes(registered)) out.push(registered);
  }
  return out;
}

/**
 * RFC 6749 §3.3 for the registry: the scopes a request may name (the client's, and those of the
 * registry resources it asks for) and the default when it names none (the default scopes of those
 * resources, else the client's registered scope).
 */
export function scopePolicy(resources: readonly string[], client: ClientRecord, config: Config): { allowed: string[]; defaults: string[] } {
  const own = splitScope(client.scope);
  const entries = registryFor(client, config).filter((e) => resources.includes(e.uri));
  const defaults = [...new Set(entries.flatMap((e) => e.defaultScopes ?? e.scopes))];
  return {
    allowed: [...new Set([...own, ...entries.flatMap((e) => e.scopes)])],
    defaults: defaults.length > 0 ? defaults : own,
  };
}

/**
 * RFC 8707 §2.2: at the token endpoint a client may narrow the audience to resources it was granted
 * (an empty grant list stands for the default audience); each is answered in its granted form.
 */
export function narrowResources(requested: readonly string[], granted: readonly string[], config: Config): string[] {
  if (requested.length === 0) return [...granted];
  const allowed = granted.length ? granted : [config.defaultAudience];
  const out: string[] = [];
  for (const r of requested) {
    const match = allowed.find((g) => sameResource(g, r));
    if (match === undefined) throw new OAuthError('invalid_target', 'the resource was not part of the grant');
    if (!out.includes(match)) out.push(match);
  }
  return out;
}

/**
 * RFC 9068 §3: `aud` is the resource(s) asked for, or the default audience. With `openid` in scope, a
 * token for the default audience names the issuer too when the two differ: UserInfo (OIDC Core §5.3)
 * is this server's resource and accepts only tokens whose audience includes the issuer.
 */
export function audience(resources: readonly string[], config: Config, scope: readonly string[] = []): string | string[] {
  const list = resources.length > 0 ? [...resources] : [config.defaultAudience];
  if (resources.length === 0 && scope.includes('openid') && !list.includes(config.issuer)) list.push(config.issuer);
  return list.length === 1 ? (list[0] as string) : list;
}
