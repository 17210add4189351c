// RFC 6749 §3.2 and §5: the token endpoint.
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { grants } from '../grants/index.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { GrantType } from '../storage/types.ts';
import { dpopNonce, requestDpopKey } from '../tokens/dpop.ts';
import { type ClientRequestDeps, readClientRequest } from './client-request.ts';

export type TokenEndpointDeps = ClientRequestDeps & Pick<Deps, 'issuer' | 'cookieKey' | 'keys' | 'verifiedTokens'>;

export async function tokenEndpoint(req: OAuthRequest, deps: TokenEndpointDeps): Promise<OAuthResponse> {
  const { params, lists, client } = await readClientRequest(req, deps, ['resource']);
  const grantType = params.grant_type;
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
  const grant = grants.get(grantType as GrantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
  if (!client.grantTypes.includes(grantType as GrantType)) {
    throw new OAuthError('unauthorized_client', `this client may not use the ${grantType} grant`);
  }
  // RFC 9449 §5: a DPoP proof binds the access token to its key.
  const dpopJkt = (await requestDpopKey(req, { nonce: deps.config.dpop.nonce }, deps)) ?? null;
  // RFC 9449 §5.2: dpop_bound_access_tokens — such a client's requests without a proof are refused.
  if (!dpopJkt && client.dpopBoundAccessTokens) throw new OAuthError('invalid_dpop_proof', 'this client must send a DPoP proof');
  // RFC 6749 §3.2: unrecognized parameters are ignored — a grant sees only those it declared.
  const declared: Record<string, string> = {};
  for (const name of grant.params) if (params[name] !== undefined) declared[name] = params[name];
  const response = await grant.handle({ params: declared, resources: lists.resource ?? [], client, dpopJkt }, deps);
  // RFC 6749 §5.1: Cache-Control: no-store (json() sets it) and Pragma: no-cache; RFC 9449 §8: the next nonce.
  return json(200, response, { pragma: 'no-cache', ...(deps.config.dpop.nonce ? { 'dpop-nonce': dpopNonce(deps) } : {}) });
}
