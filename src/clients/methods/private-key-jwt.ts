// RFC 7523 §2.2 and §3, RFC 7521 §4.2, OIDC Core §9 `private_key_jwt`: the client proves itself with a
// JWT signed by a key it registered (`jwks` or `jwks_uri`), each assertion usable once.

import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { OAuthError } from '../../errors.ts';
import { CLIENT_ASSERTION_ALGS } from '../../tokens/algorithms.ts';
import { hashToken } from '../../tokens/opaque.ts';
import { invalidClient } from './invalid-client.ts';
import type { ClientAuthenticator } from './types.ts';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The longest an assertion may be valid for from now: a short `exp` keeps the stored jti few. */
export const MAX_ASSERTION_LIFETIME = 300;
/** Clocks of client and server may disagree by this much. */
const CLOCK_TOLERANCE = 30;

function unverifiedSubject(assertion: string | undefined): string | undefined {
  if (!assertion) return undefined;
  try {
    const sub = decodeJwt(assertion).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export const privateKeyJwt: ClientAuthenticator = {
  method: 'private_key_jwt',
  presented: ({ params }) => params.client_assertion !== undefined || params.client_assertion_type !== undefined,
  // RFC 7523 §3: client_id is optional beside an assertion; the assertion's sub names the client
  // (a client_id naming another is refused by authenticate.ts).
  clientId: ({ params }) => unverifiedSubject(params.client_assertion) ?? params.client_id,
  async verify(client, { params, endpointUrl }, deps) {
    // RFC 7521 §4.2: client_assertion_type and client_assertion are both REQUIRED.
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) throw invalidClient('unsupported client_assertion_type');
    const assertion = params.client_assertion;
    if (!assertion) throw invalidClient('client_assertion is missing');
    const now = deps.clock();
    let payload: { exp?: number; jti?: string };
    try {
      ({ payload } = await jwtVerify(assertion, (header) => deps.clientKeys.resolve(client, header), {
        algorithms: CLIENT_ASSERTION_ALGS,
        // RFC 7523 §3 items 1-2: iss and sub MUST be the client_id.
        issuer: client.clientId,
        subject: client.clientId,
        // RFC 7523 §3 item 3 and RFC 9126 §2: the issuer, the token endpoint or the endpoint used.
        audience: [...new Set([deps.issuer, `${deps.issuer}/token`, endpointUrl])],
        // RFC 7523 §3 items 4 and 7: exp is REQUIRED; jti makes each assertion usable once.
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(now * 1000),
        clockTolerance: CLOCK_TOLERANCE,
      }));
    } catch (e) {
      if (e instanceof OAuthError) throw e;
      if (e instanceof joseErrors.JOSEError) throw invalidClient(`client assertion of ${client.clientId}: ${e.code} ${e.message}`);
      throw e;
    }
    const exp = payload.exp as number;
    if (exp > now + MAX_ASSERTION_LIFETIME + CLOCK_TOLERANCE) {
      throw invalidClient(`client assertion of ${client.clientId} is valid for longer than ${MAX_ASSERTION_LIFETIME} s`);
    }
    if (typeof payload.jti !== 'string' || payload.jti === '') throw invalidClient('client assertion without a jti');
    // RFC 7523 §3 item 7: the jti is kept until the assertion expires and a second use is refused.
    const key = `private_key_jwt:${hashToken(`${client.clientId}\0${payload.jti}`)}`;
    if (!(await deps.usedJtis.use(key, exp + CLOCK_TOLERANCE))) throw invalidClient(`client assertion jti of ${client.clientId} replayed`);
  },
};
