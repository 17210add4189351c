// OIDC Core §5.3: the UserInfo endpoint, with RFC 6750 §2.1 / §2.2 Bearer tokens.
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';

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

export async function userinfoEndpoint(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const token = bearerToken(req);
  const { keys, config, storage, clock } = deps;
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? keys.verifying(header.kid) : undefined;
        if (!key) throw invalid('unknown kid');
        return key.publicKey;
      },
      { issuer: config.issuer, typ: 'at+jwt', algorithms: ['RS256', 'ES256', 'EdDSA'], currentDate: new Date(clock() * 1000) },
    );
    claims = verified.payload as Record<string, unknown>;
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    if (e instanceof joseErrors.JOSEError) throw invalid(e.code);
    throw e;
  }
  const scope = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scope.includes('openid')) {
    throw new OAuthError('insufficient_scope', 'the access token was not granted the openid scope');
  }
  // One grant lookup tells whether the token was revoked (code reuse, refresh reuse).
  const grantId = typeof claims.grant_id === 'string' ? claims.grant_id : undefined;
  const grant = grantId ? await storage.grants.get(grantId) : undefined;
  if (!grant || grant.revokedAt !== null) throw invalid('grant revoked or unknown');
  const user = typeof claims.sub === 'string' ? await storage.users.getById(claims.sub) : undefined;
  if (!user) throw invalid('the user no longer exists');

  const out: Record<string, unknown> = { sub: user.id };
  if (scope.includes('profile')) {
    out.preferred_username = user.username;
    if (user.name !== null) out.name = user.name;
  }
  if (scope.includes('email') && user.email !== null) {
    out.email = user.email;
    out.email_verified = user.emailVerified;
  }
  return json(200, out);
}
