// RFC 6749 §3.2 and §5: the token endpoint.
import { authenticateClientThrottled } from '../clients/throttle.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { grants } from '../grants/index.ts';
import { collectParams } from '../http/body.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { GrantType } from '../storage/types.ts';

export async function tokenEndpoint(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  // RFC 6749 §3.2: the client MUST use POST with application/x-www-form-urlencoded parameters.
  if (req.contentType !== 'application/x-www-form-urlencoded' || !req.body) {
    throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  }
  const { params, lists } = collectParams([req.body], ['resource']);
  const { client } = await authenticateClientThrottled(req, params, deps);
  const grantType = params.grant_type;
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
  const handler = grants.get(grantType as GrantType);
  if (!handler) throw new OAuthError('unsupported_grant_type', 'this grant_type is not supported');
  if (!client.grantTypes.includes(grantType as GrantType)) {
    throw new OAuthError('unauthorized_client', `this client may not use the ${grantType} grant`);
  }
  const response = await handler({ params, resources: lists.resource ?? [], client }, deps);
  // RFC 6749 §5.1: Cache-Control: no-store (json() sets it) and Pragma: no-cache.
  return json(200, response, { pragma: 'no-cache' });
}
