// OIDC Core §5.3: the UserInfo endpoint, with RFC 6750 §2.1 / §2.2 Bearer tokens.

import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import { singleParams } from '../http/body.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { dpopChallenge, requestDpopKey } from '../tokens/dpop.ts';
import { audiences, notRevoked, verifyOwnAccessToken } from '../tokens/verify.ts';

const invalid = (detail: string) => new OAuthError('invalid_token', 'the access token is invalid, expired or revoked', { detail });

/** RFC 6750 §2 and RFC 9449 §7.1: exactly one way of sending the token (header, or form body on POST). */
function presentedToken(req: OAuthRequest): { token: string; scheme: 'bearer' | 'dpop' } {
  const header = req.headers.authorization;
  const form = req.method === 'POST' && req.body ? singleParams(req.body).access_token : undefined;
  if (header !== undefined && form !== undefined) throw new OAuthError('invalid_request', 'send the token only once');
  if (header !== undefined) {
    const m = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
    if (!m?.[1] || !m[2]) throw new OAuthError('invalid_request', 'the Authorization header is not a Bearer or DPoP token');
    return { token: m[2], scheme: m[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer' };
  }
  if (form !== undefined) return { token: form, scheme: 'bearer' };
  // RFC 6750 §3.1 and RFC 9449 §7.1: a request without credentials gets challenges without an error code.
  throw new OAuthError('invalid_token', 'an access token is required', {
    headers: { 'www-authenticate': `Bearer realm="latchkey", ${dpopChallenge()}` },
  });
}

export type UserinfoDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'keys' | 'verifiedTokens' | 'accounts' | 'cookieKey'>;

export async function userinfoEndpoint(req: OAuthRequest, deps: UserinfoDeps): Promise<OAuthResponse> {
  const { token, scheme } = presentedToken(req);
  // RFC 9449 §7.1: a DPoP token comes with a proof for this request and this token (ath).
  const jkt = scheme === 'dpop' ? await requestDpopKey(req, { accessToken: token, resource: true }, deps) : undefined;
  if (scheme === 'dpop' && !jkt) {
    throw new OAuthError('invalid_dpop_proof', 'a DPoP token needs a DPoP proof', {
      status: 401,
      headers: { 'www-authenticate': dpopChallenge('invalid_dpop_proof', 'a DPoP token needs a DPoP proof') },
    });
  }
  const verified = await verifyOwnAccessToken(token, deps);
  if (verified.invalid !== undefined) throw invalid(verified.invalid);
  const { claims } = verified;
  const bound = claims.cnf?.jkt;
  // RFC 9449 §7.2: a bound token presented as a bearer token is refused; §7.1: the proof's key is the token's.
  if (bound && scheme === 'bearer') {
    throw new OAuthError('invalid_token', 'the access token is bound to a DPoP key: present it with the DPoP scheme and a proof', {
      detail: 'DPoP-bound token presented as bearer',
      headers: { 'www-authenticate': dpopChallenge('invalid_token', 'the access token is DPoP-bound') },
    });
  }
  if (scheme === 'dpop' && bound !== jkt) {
    throw new OAuthError('invalid_token', 'the DPoP proof is not made with the key the access token is bound to', {
      detail: bound ? 'DPoP key mismatch' : 'bearer token presented with the DPoP scheme',
      headers: { 'www-authenticate': dpopChallenge('invalid_token', 'the DPoP key does not match the access token') },
    });
  }
  // RFC 9068 §4 / RFC 8707 §2: UserInfo is a resource of this server, identified by the issuer; a token
  // issued only for another resource (an API) is not valid here, so an API cannot replay it for the email.
  if (!audiences(claims).includes(deps.config.issuer)) {
    throw new OAuthError('invalid_token', 'the access token is not for this server (its audience)', { detail: 'audience' });
  }
  const scope = splitScope(claims.scope);
  if (!scope.includes('openid')) {
    throw new OAuthError('insufficient_scope', 'the access token was not granted the openid scope');
  }
  // One grant lookup tells whether the token was revoked (code reuse, refresh reuse, revocation).
  if (!(await notRevoked(claims, deps))) throw invalid('token or grant revoked');
  const user = await deps.accounts.findAccount(claims.sub);
  if (!user) throw invalid('the user no longer exists');
  if (user.disabled) throw invalid('the user is disabled');

  const out: Record<string, unknown> = { sub: user.id };
  if (scope.includes('profile')) {
    out.preferred_username = user.username;
    if (user.name) out.name = user.name;
  }
  if (scope.includes('email') && user.email) {
    out.email = user.email;
    out.email_verified = user.emailVerified ?? false;
  }
  return json(200, out);
}
