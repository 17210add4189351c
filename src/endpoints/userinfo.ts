// OIDC Core §5.3: the UserInfo endpoint, with RFC 6750 §2.1 / §2.2 Bearer tokens.

import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import { singleParams } from '../http/body.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { audiences, notRevoked, verifyOwnAccessToken } from '../tokens/verify.ts';

const invalid = (detail: string) => new OAuthError('invalid_token', 'the access token is invalid, expired or revoked', { detail });

/** RFC 6750 §2: exactly one way of sending the token (header, or form body on POST). */
function bearerToken(req: OAuthRequest): string {
  const header = req.headers.authorization;
  const form = req.method === 'POST' && req.body ? singleParams(req.body).access_token : undefined;
  if (header !== undefined && form !== undefined) throw new OAuthError('invalid_request', 'send the token only once');
  if (header !== undefined) {
    const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
    if (!m?.[1]) throw new OAuthError('invalid_request', 'the Authorization header is not a Bearer token');
    return m[1];
  }
  if (form !== undefined) return form;
  // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
  throw new OAuthError('invalid_token', 'an access token is required', { headers: { 'www-authenticate': 'Bearer realm="latchkey"' } });
}

export type UserinfoDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'keys' | 'verifiedTokens' | 'accounts'>;

export async function userinfoEndpoint(req: OAuthRequest, deps: UserinfoDeps): Promise<OAuthResponse> {
  const token = bearerToken(req);
  const verified = await verifyOwnAccessToken(token, deps);
  if (verified.invalid !== undefined) throw invalid(verified.invalid);
  const { claims } = verified;
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
