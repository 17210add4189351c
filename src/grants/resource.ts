// RFC 8707: resource indicators — which audiences a token is for.
import { resourceProblem } from '../clients/redirect-uri.ts';
import type { Config } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';

/** RFC 8707 §2: checks the requested resources against what the client may use. */
export function checkResources(requested: readonly string[], client: ClientRecord, config: Config): string[] {
  const unique = [...new Set(requested)];
  for (const r of unique) {
    // RFC 8707 §2: an absolute URI without a fragment, else invalid_target.
    if (resourceProblem(r)) throw new OAuthError('invalid_target', 'a resource is not an absolute URI without a fragment');
    // The issuer is this server (its UserInfo endpoint): any client may name it beside other resources.
    if (r !== config.defaultAudience && r !== config.issuer && !client.resources.includes(r)) {
      throw new OAuthError('invalid_target', 'this client may not request tokens for that resource');
    }
  }
  return unique;
}

/**
 * RFC 8707 §2.2: at the token endpoint a client may narrow the audience to resources it was granted
 * (an empty grant list stands for the default audience).
 */
export function narrowResources(requested: readonly string[], granted: readonly string[], config: Config): string[] {
  if (requested.length === 0) return [...granted];
  const allowed = granted.length ? granted : [config.defaultAudience];
  for (const r of requested) {
    if (!allowed.includes(r)) throw new OAuthError('invalid_target', 'the resource was not part of the grant');
  }
  return [...new Set(requested)];
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
