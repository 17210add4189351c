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
    if (r !== config.defaultAudience && !client.resources.includes(r)) {
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

/** RFC 9068 §3: `aud` is the resource(s), or the default audience. */
export function audience(resources: readonly string[], config: Config): string | string[] {
  if (resources.length === 0) return config.defaultAudience;
  return resources.length === 1 ? (resources[0] as string) : [...resources];
}
