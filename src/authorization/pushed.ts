// RFC 9126 §4: an authorization request that names a pushed request by its request_uri. The pushed
// parameters replace the request's (only client_id must come along, and match); a request_uri is
// used once and expires. Until the redirect URI is verified, a refusal is a page for the person.
import { pageError } from '../errors.ts';
import { strings } from '../interaction/strings.ts';
import type { PushedRequestStore } from '../storage/types.ts';
import { hashToken } from '../tokens/opaque.ts';

/** RFC 9126 §2.2: the prefix of every request_uri this server gives out. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** The parameters pushed for `requestUri`, consumed; a page error when there are none or they are another client's. */
export async function pushedRequest(
  clientId: string,
  requestUri: string,
  deps: { pushedRequests: Pick<PushedRequestStore, 'consume'>; clock: () => number },
): Promise<{ params: Record<string, string>; resources: string[] }> {
  if (!requestUri.startsWith(REQUEST_URI_PREFIX)) throw pageError(400, strings.pushedRequestGone);
  // RFC 9126 §4: the request_uri is one-time use; consuming it first makes a second use fail too.
  const record = await deps.pushedRequests.consume(hashToken(requestUri.slice(REQUEST_URI_PREFIX.length)), deps.clock());
  if (!record) throw pageError(400, strings.pushedRequestGone);
  // RFC 9126 §4: the client_id of the request MUST be the one the request was pushed by.
  if (record.clientId !== clientId) throw pageError(400, strings.pushedRequestOtherClient);
  return { params: { ...record.params.params, client_id: clientId }, resources: record.params.resources };
}
