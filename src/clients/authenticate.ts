// RFC 6749 §2.3 (client authentication), §2.3.1 (client_secret_basic / client_secret_post), OAuth 2.1 §2.4.
import { OAuthError } from '../errors.ts';
import type { OAuthRequest } from '../http/types.ts';
import type { ClientAuthMethod, ClientRecord, ClientStore } from '../storage/types.ts';
import { constantTimeEqual, hashToken } from '../tokens/opaque.ts';

export interface AuthenticatedClient {
  client: ClientRecord;
  method: ClientAuthMethod;
}

const invalidClient = (detail: string) => new OAuthError('invalid_client', 'client authentication failed', { detail });

/** Authenticates the client of a token-endpoint request by exactly one method. */
export async function authenticateClient(
  req: OAuthRequest,
  params: Record<string, string>,
  clients: ClientStore,
): Promise<AuthenticatedClient> {
  const basic = parseBasic(req.headers.authorization);
  const postSecret = params.client_secret;
  // RFC 6749 §2.3: the client MUST NOT use more than one authentication method in each request.
  if (basic && postSecret !== undefined) {
    throw new OAuthError('invalid_request', 'use exactly one client authentication method');
  }
  if (basic && params.client_id !== undefined && params.client_id !== basic.id) {
    throw new OAuthError('invalid_request', 'client_id does not match the authenticated client');
  }
  const method: ClientAuthMethod = basic ? 'client_secret_basic' : postSecret !== undefined ? 'client_secret_post' : 'none';
  const clientId = basic ? basic.id : params.client_id;
  if (!clientId) throw invalidClient('no client_id and no client authentication');
  const client = await clients.get(clientId);
  if (!client) throw invalidClient(`unknown client ${clientId.slice(0, 64)}`);
  if (client.tokenEndpointAuthMethod !== method) {
    throw invalidClient(`client ${client.clientId} is registered for ${client.tokenEndpointAuthMethod}, used ${method}`);
  }
  if (method !== 'none') {
    const secret = basic ? basic.secret : (postSecret as string);
    // Constant-time comparison of the SHA-256 of the presented secret with the stored hash.
    if (!client.secretHash || !constantTimeEqual(hashToken(secret), client.secretHash)) {
      throw invalidClient(`wrong secret for client ${client.clientId}`);
    }
  }
  // Checked after the credentials, so that only the client itself learns (from the log) why.
  if (client.disabledAt !== null) throw invalidClient(`client ${client.clientId} is disabled`);
  return { client, method };
}

/** RFC 7617 Basic credentials whose parts are form-urlencoded (RFC 6749 §2.3.1). */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header) return undefined;
  const m = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!m?.[1]) {
    if (/^basic\b/i.test(header)) throw invalidClient('malformed Basic authorization header');
    return undefined;
  }
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw invalidClient('Basic credentials without a colon');
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    if (!id) throw invalidClient('Basic credentials with an empty client id');
    return { id, secret };
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    throw invalidClient('Basic credentials that are not form-urlencoded');
  }
}
