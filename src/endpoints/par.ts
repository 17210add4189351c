// RFC 9126 §2: the pushed authorization request endpoint. The client authenticates as at the token
// endpoint, pushes the parameters of an authorization request, and gets a one-time request_uri to
// send the person to /authorize with (authorization/pushed.ts).
import { REQUEST_URI_PREFIX } from '../authorization/pushed.ts';
import { redirectTarget, validateParams } from '../authorization/request.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { requestDpopKey } from '../tokens/dpop.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { type ClientRequestDeps, readClientRequest } from './client-request.ts';

export type ParDeps = ClientRequestDeps & Pick<Deps, 'storage' | 'cookieKey'>;

/** Client authentication parameters: they authenticate the push and are not part of the request. */
const AUTHENTICATION = ['client_secret', 'client_assertion', 'client_assertion_type'];

export async function parEndpoint(req: OAuthRequest, deps: ParDeps): Promise<OAuthResponse> {
  const { params, lists, client } = await readClientRequest(req, deps, ['resource']);
  // RFC 9126 §2.1: the request_uri parameter MUST NOT be provided.
  if (params.request_uri !== undefined) throw new OAuthError('invalid_request', 'request_uri cannot be pushed');
  const pushed: Record<string, string> = { client_id: client.clientId };
  for (const [name, value] of Object.entries(params)) if (!AUTHENTICATION.includes(name)) pushed[name] = value;
  const resources = lists.resource ?? [];
  // RFC 9449 §10.1: a DPoP proof at the PAR endpoint binds the code as dpop_jkt would. Server nonces
  // are not asked for here: a replayed proof could only bind the code to a key its replayer lacks.
  const proofJkt = await requestDpopKey(req, {}, deps);
  if (proofJkt !== undefined) {
    // RFC 9449 §10.1: with both, the server MUST reject the request if dpop_jkt does not match the proof's key.
    if (pushed.dpop_jkt !== undefined && pushed.dpop_jkt !== proofJkt) {
      throw new OAuthError('invalid_request', 'dpop_jkt does not match the key of the DPoP proof');
    }
    pushed.dpop_jkt = proofJkt;
  }
  try {
    // RFC 9126 §2.1: the request is validated as the authorization endpoint would validate it.
    validateParams(pushed, resources, client, redirectTarget(client, pushed, deps.log), deps.config);
  } catch (e) {
    // A redirect URI problem is a page at /authorize; here the client itself is told (RFC 9126 §2.3).
    if (e instanceof OAuthError && e.destination?.to === 'page') throw new OAuthError('invalid_request', e.description);
    throw e;
  }
  const id = randomToken();
  const expiresIn = deps.config.ttl.pushedRequest;
  await deps.storage.pushedRequests.create({
    idHash: hashToken(id),
    clientId: client.clientId,
    params: { params: pushed, resources },
    expiresAt: deps.clock() + expiresIn,
  });
  // RFC 9126 §2.2: 201 with request_uri and expires_in.
  return json(201, { request_uri: `${REQUEST_URI_PREFIX}${id}`, expires_in: expiresIn });
}
