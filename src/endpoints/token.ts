// RFC 6749 §3.2 and §5: the token endpoint.
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { grants } from '../grants/index.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { GrantType } from '../storage/types.ts';
import { type ClientRequestDeps, readClientRequest } from './client-request.ts';

export type TokenEndpointDeps = ClientRequestDeps & Pick<Deps, 'issuer'>;

export async function tokenEndpoint(req: OAuthRequest, deps: TokenEndpointDeps): Promise<OAuthResponse> {
  const { params, lists, client } = await readClientRequest(req, deps, ['resource']);
  const grantType = params.grant_type;
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
  const grant = grants.get(grantType as GrantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
  if (!client.grantTypes.includes(grantType as GrantType)) {
    throw new OAuthError('unauthorized_client', `this client may not use the ${grantType} grant`);
  }
  // RFC 6749 §3.2: unrecognized parameters are ignored — a grant sees only those it declared.
  const declared: Record<string, string> = {};
  for (const name of grant.params) if (params[name] !== undefined) declared[name] = params[name];
  const response = await grant.handle({ params: declared, resources: lists.resource ?? [], client }, deps);
  // RFC 6749 §5.1: Cache-Control: no-store (json() sets it) and Pragma: no-cache.
  return json(200, response, { pragma: 'no-cache' });
}
