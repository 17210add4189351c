// OpenID Connect Back-Channel Logout 1.0 §2.2: the client metadata `backchannel_logout_uri` and
// `backchannel_logout_session_required` in dynamic registration (RFC 7591 §2, §3.2.2).
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';
import { fetchedUrlProblem } from './fetched-url.ts';
import type { NewClient } from './register.ts';

const badMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);

/** The back-channel logout metadata of a registration request, or an `invalid_client_metadata` error. */
export function backchannelFromRegistration(
  m: Record<string, unknown>,
): Pick<NewClient, 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'> {
  const out: Pick<NewClient, 'backchannelLogoutUri' | 'backchannelLogoutSessionRequired'> = {};
  const uri = m.backchannel_logout_uri;
  if (uri !== undefined) {
    if (typeof uri !== 'string' || uri.length > 2000)
      throw badMetadata('backchannel_logout_uri must be a string of at most 2000 characters');
    // §2.2: an absolute URI, no fragment; https (plain http only on loopback, as for redirect URIs in development).
    const problem = fetchedUrlProblem(uri);
    if (problem) throw badMetadata(`backchannel_logout_uri ${problem}`);
    out.backchannelLogoutUri = uri;
  }
  const required = m.backchannel_logout_session_required;
  if (required !== undefined) {
    if (typeof required !== 'boolean') throw badMetadata('backchannel_logout_session_required must be true or false');
    if (required && uri === undefined) throw badMetadata('backchannel_logout_session_required needs a backchannel_logout_uri');
    out.backchannelLogoutSessionRequired = required;
  }
  return out;
}

/** The back-channel logout metadata of the client information response (RFC 7591 §3.2.1). */
export function backchannelMetadata(client: ClientRecord): Record<string, unknown> {
  if (!client.backchannelLogoutUri) return {};
  return {
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required: client.backchannelLogoutSessionRequired === true,
  };
}
