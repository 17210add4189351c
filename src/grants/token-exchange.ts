// RFC 8693: token exchange. A client (typically an API calling another on a user's behalf) trades an
// access token this server issued — the subject token — for one with another audience and an equal
// or narrower scope; with an actor token, the new token says who acts (`act`, §4.1). A subject token
// may also be a JWT of a trusted issuer (external-subject.ts).
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';
import type { TokenResponse } from '../tokens/issuer.ts';
import { type AccessTokenClaims, audiences, notRevoked, verifyOwnAccessToken } from '../tokens/verify.ts';
import { type ExchangeSubject, ID_TOKEN_TYPE, JWT_TOKEN_TYPE, trustedIssuerOf, verifyExternalSubject } from './external-subject.ts';
import { checkResources } from './resource.ts';
import { isSubset, splitScope } from './scope.ts';
import type { Grant, GrantContext, GrantDeps } from './types.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the one token type exchanged and issued here. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export const tokenExchangeGrant: Grant = {
  // RFC 8693 §2.1 (resource is read by the token endpoint, as for every grant).
  params: ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'scope', 'audience'],
  handle,
};

const invalidSubject = (detail: string) => new OAuthError('invalid_grant', 'the subject token is invalid, expired or revoked', { detail });

/** Our own live access token, or an invalid_grant / invalid_request naming which one. */
async function liveToken(token: string | undefined, type: string | undefined, which: 'subject' | 'actor', deps: GrantDeps) {
  if (!token) throw new OAuthError('invalid_request', which === 'subject' ? 'subject_token is required' : 'actor_token is required');
  // RFC 8693 §2.2.2: an unsupported token type is invalid_request.
  if (type !== ACCESS_TOKEN_TYPE) {
    throw new OAuthError(
      'invalid_request',
      which === 'subject'
        ? `subject_token_type must be ${ACCESS_TOKEN_TYPE}, or ${JWT_TOKEN_TYPE} or ${ID_TOKEN_TYPE} of a trusted issuer`
        : `actor_token_type must be ${ACCESS_TOKEN_TYPE}`,
    );
  }
  const verified = await verifyOwnAccessToken(token, deps);
  if (verified.invalid !== undefined) throw invalidSubject(`${which} token: ${verified.invalid}`);
  if (!(await notRevoked(verified.claims, deps))) throw invalidSubject(`${which} token or its grant revoked`);
  return verified.claims;
}

/** The subject of the exchange: this server's live access token, or a trusted issuer's verified JWT. */
async function subjectOf(params: Record<string, string>, client: ClientRecord, deps: GrantDeps): Promise<ExchangeSubject> {
  const token = params.subject_token;
  const type = params.subject_token_type;
  const trusted = token ? trustedIssuerOf(token, deps.config) : undefined;
  if (token && (type === JWT_TOKEN_TYPE || type === ID_TOKEN_TYPE || (type === ACCESS_TOKEN_TYPE && trusted))) {
    // RFC 8693 §2.2.2: a token of an issuer not trusted here is an invalid grant.
    if (!trusted) throw invalidSubject('subject token of an issuer that is not trusted');
    return verifyExternalSubject(token, trusted, client, deps);
  }
  const subject = await liveToken(token, type, 'subject', deps);
  if (!mayExchange(client, subject)) throw invalidSubject(`subject token of ${subject.client_id} is not for client ${client.clientId}`);
  return {
    sub: subject.sub,
    scope: splitScope(subject.scope),
    authTime: typeof subject.auth_time === 'number' ? subject.auth_time : null,
    grantId: subject.grant_id ?? null,
    act: subject.act,
  };
}

/** Per-client policy: a client exchanges tokens issued to it, or issued for a resource it is registered as. */
function mayExchange(client: ClientRecord, subject: AccessTokenClaims): boolean {
  return subject.client_id === client.clientId || audiences(subject).some((a) => client.resources.includes(a));
}

async function handle(ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse & { issued_token_type: string }> {
  const { params, client } = ctx;
  const { config, log } = deps;
  if (client.tokenEndpointAuthMethod === 'none') throw new OAuthError('unauthorized_client', 'a public client cannot exchange tokens');
  if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new OAuthError('invalid_request', 'only an access token (urn:ietf:params:oauth:token-type:access_token) can be requested');
  }
  const subject = await subjectOf(params, client, deps);
  const actor =
    params.actor_token === undefined && params.actor_token_type === undefined
      ? undefined
      : await liveToken(params.actor_token, params.actor_token_type, 'actor', deps);

  // RFC 8693 §2.1: the target is named by resource and/or audience; the client must be registered for each.
  const targets = [...ctx.resources, ...(params.audience === undefined ? [] : [params.audience])];
  if (targets.length === 0) throw new OAuthError('invalid_request', 'name the target with resource or audience');
  const audience = checkResources(targets, client, config);
  // Per-client policy: only the resources the client is registered for, not even this server's own.
  if (audience.some((a) => !client.resources.includes(a))) {
    throw new OAuthError('invalid_target', 'this client may not exchange tokens for that resource');
  }
  // Equal or narrower scope, never wider.
  const granted = subject.scope;
  const scope = params.scope === undefined ? granted : splitScope(params.scope);
  if (!isSubset(scope, granted)) throw new OAuthError('invalid_scope', 'the scope exceeds that of the subject token');

  // RFC 8693 §4.1: act names the actor; an earlier delegation stays nested inside.
  const act = actor ? { sub: actor.sub, client_id: actor.client_id, ...(subject.act ? { act: subject.act } : {}) } : subject.act;
  const accessToken = deps.issuer.accessToken({
    clientId: client.clientId,
    sub: subject.sub,
    scope: scope.join(' '),
    audience: audience.length === 1 ? (audience[0] as string) : audience,
    authTime: subject.authTime,
    // Bound to the subject's grant: revoking it makes the exchanged token inactive too.
    grantId: subject.grantId,
    jkt: ctx.dpopJkt ?? null,
    ...(act ? { act: act as Record<string, unknown> } : {}),
  });
  log.info(
    { event: 'token.issued', grant_type: 'token_exchange', client_id: client.clientId, sub: subject.sub, actor: actor?.sub },
    'token exchanged',
  );
  // RFC 8693 §2.2.1: issued_token_type is REQUIRED; no refresh token.
  return {
    access_token: accessToken,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: ctx.dpopJkt ? 'DPoP' : 'Bearer',
    expires_in: config.ttl.accessToken,
    scope: scope.join(' '),
  };
}
