// RFC 6749 §2.3 (client authentication), OAuth 2.1 §2.4: exactly one method per request, each method
// one authenticator (clients/methods/): client_secret_basic, client_secret_post, private_key_jwt, none.
import { OAuthError } from '../errors.ts';
import type { OAuthRequest } from '../http/types.ts';
import type { ClientAuthMethod, ClientRecord } from '../storage/types.ts';
import { clientSecretBasic } from './methods/basic.ts';
import { invalidClient } from './methods/invalid-client.ts';
import { noClientAuthentication } from './methods/none.ts';
import { clientSecretPost } from './methods/post.ts';
import { privateKeyJwt } from './methods/private-key-jwt.ts';
import type { AuthenticateDeps, AuthenticationInput, ClientAuthenticator } from './methods/types.ts';

export { parseBasic } from './methods/basic.ts';
export type { AuthenticateDeps } from './methods/types.ts';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: ClientAuthMethod;
}

/** Every method the server implements, `none` last (it is what a request with no credentials uses). */
export const authenticators: readonly ClientAuthenticator[] = [clientSecretBasic, clientSecretPost, privateKeyJwt, noClientAuthentication];

/** The authenticator of the method the request uses; throws when it uses more than one. */
function methodOf(input: AuthenticationInput): ClientAuthenticator {
  const presented = authenticators.filter((a) => a.presented(input));
  // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
  if (presented.length > 1) throw new OAuthError('invalid_request', 'use exactly one client authentication method');
  return presented[0] ?? noClientAuthentication;
}

/** The client_id a request names through its credentials or its client_id parameter (for logs). */
export function claimedClientId(req: OAuthRequest, params: Record<string, string>, issuer: string): string | undefined {
  const input = { req, params, endpointUrl: `${issuer}${req.path}` };
  try {
    return methodOf(input).clientId(input) ?? params.client_id;
  } catch {
    return params.client_id;
  }
}

/** Authenticates the client of a token, introspection, revocation or PAR request by exactly one method. */
export async function authenticateClient(
  req: OAuthRequest,
  params: Record<string, string>,
  deps: AuthenticateDeps,
): Promise<AuthenticatedClient> {
  const input: AuthenticationInput = { req, params, endpointUrl: `${deps.issuer}${req.path}` };
  const authenticator = methodOf(input);
  const clientId = authenticator.clientId(input);
  if (params.client_id !== undefined && clientId !== undefined && params.client_id !== clientId) {
    throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
  }
  if (!clientId) throw invalidClient('no client_id and no client authentication');
  const client = await deps.clients.get(clientId);
  if (!client) throw invalidClient(`unknown client ${clientId.slice(0, 64)}`);
  if (client.tokenEndpointAuthMethod !== authenticator.method) {
    throw invalidClient(`client ${client.clientId} is registered for ${client.tokenEndpointAuthMethod}, used ${authenticator.method}`);
  }
  await authenticator.verify(client, input, deps);
  // Checked after the credentials, so that only the client itself learns (from the log) why.
  if (client.disabledAt !== null) throw invalidClient(`client ${client.clientId} is disabled`);
  return { client, method: authenticator.method };
}
