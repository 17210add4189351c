// RFC 6749 §3.2 and §2.3, RFC 7662 §2.1, RFC 7009 §2.1: the opening the token, introspection and
// revocation endpoints share — a form POST, parameters once each, one authenticated client.
import { authenticateClientThrottled } from '../clients/throttle.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { collectParams } from '../http/body.ts';
import type { OAuthRequest } from '../http/types.ts';
import type { ClientAuthMethod, ClientRecord } from '../storage/types.ts';

export type ClientRequestDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'log' | 'clientKeys'>;

export interface ClientRequest {
  /** Every parameter sent once (RFC 6749 §3.1: a repeated one is refused). */
  params: Record<string, string>;
  /** The parameters allowed to repeat, as lists (RFC 8707 §2: `resource`). */
  lists: Record<string, string[]>;
  client: ClientRecord;
  method: ClientAuthMethod;
}

export async function readClientRequest(
  req: OAuthRequest,
  deps: ClientRequestDeps,
  repeatable: readonly string[] = [],
): Promise<ClientRequest> {
  // RFC 6749 §3.2: the client MUST use POST with application/x-www-form-urlencoded parameters.
  if (req.contentType !== 'application/x-www-form-urlencoded' || !req.body) {
    throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  }
  const { params, lists } = collectParams([req.body], repeatable);
  const { client, method } = await authenticateClientThrottled(req, params, deps);
  return { params, lists, client, method };
}
