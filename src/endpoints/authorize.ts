// RFC 6749 §3.1 and §4.1.1-§4.1.2.1, OAuth 2.1 §4.1, OIDC Core §3.1.2: the authorization endpoint.
import { isRegisteredRedirectUri } from '../clients/redirect-uri.ts';
import { diagnoseRedirectUri } from '../clients/redirect-uri-diagnosis.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { challengeProblem } from '../grants/pkce.ts';
import { checkResources } from '../grants/resource.ts';
import { isSubset, joinScope, splitScope } from '../grants/scope.ts';
import { collectParams } from '../http/body.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { browserHash, browserSecret } from '../interaction/cookies.ts';
import { currentSession, errorRedirect, issueCode, needsConsent, needsLogin } from '../interaction/flow.ts';
import { strings } from '../interaction/strings.ts';
import type { AuthorizationParams, ClientRecord } from '../storage/types.ts';
import { randomToken } from '../tokens/opaque.ts';

const PROMPTS = ['login', 'consent', 'none'] as const;

export async function authorizeEndpoint(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  let raw: Record<string, string>;
  let resources: string[];
  try {
    // OIDC Core §3.1.2.1: GET and POST are both supported; POST uses form serialization.
    ({
      params: raw,
      lists: { resource: resources = [] },
    } = collectParams([req.query, req.method === 'POST' ? req.body : null], ['resource']));
  } catch (e) {
    return deps.views.error(400, (e as OAuthError).description);
  }

  // RFC 6749 §4.1.2.1: until client and redirect URI are verified, errors go to the person, never to a redirect.
  if (!raw.client_id) return deps.views.error(400, strings.noClientId);
  const client = await deps.storage.clients.get(raw.client_id);
  if (!client) return deps.views.error(400, strings.unknownClient);
  // RFC 6749 §4.1.2.1: a disabled client's identifier is not valid now, so its redirect URI is not trusted either.
  if (client.disabledAt !== null) return deps.views.error(400, strings.disabledClient);
  const target = redirectTarget(client, raw, deps);
  if (typeof target !== 'string') return target;

  const state = raw.state ?? null;
  const fail = (code: OAuthError['code'], description: string) => errorRedirect({ redirectUri: target, state }, code, description, deps);

  let params: AuthorizationParams;
  try {
    params = validate(raw, client, target);
    params.resources = checkResources(resources, client, deps.config);
  } catch (e) {
    if (e instanceof OAuthError) return fail(e.code, e.description);
    throw e;
  }

  const { secret, setCookie } = browserSecret(req, deps.config);
  const headers: Record<string, string | string[]> = setCookie ? { 'set-cookie': setCookie } : {};
  const now = deps.clock();
  const session = await currentSession(req, deps);
  const loginNeeded = needsLogin(params, session, now);

  if (!loginNeeded && session) {
    const consentNeeded = await needsConsent(params, session.userId, deps);
    if (!consentNeeded) return issueCode(params, session.userId, session.authTime, deps, headers);
    // OIDC Core §3.1.2.6: prompt=none may not show a page.
    if (params.prompt.includes('none')) return fail('consent_required', 'the user has not consented to this request');
  } else if (params.prompt.includes('none')) {
    return fail('login_required', 'the user is not signed in');
  }

  const id = randomToken();
  await deps.storage.interactions.create({
    id,
    params,
    browserHash: browserHash(secret),
    userId: loginNeeded ? null : (session?.userId ?? null),
    authTime: loginNeeded ? null : (session?.authTime ?? null),
    expiresAt: now + deps.config.ttl.interaction,
  });
  return redirect(`${deps.config.issuer}/${loginNeeded ? 'login' : 'consent'}/${id}`, headers);
}

/** RFC 6749 §3.1.2.3 and OAuth 2.1 §2.3.1: the redirect URI by exact match, or the only one registered. */
function redirectTarget(client: ClientRecord, raw: Record<string, string>, deps: Deps): string | OAuthResponse {
  const uri = raw.redirect_uri;
  if (uri === undefined) {
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED for OpenID requests.
    if (splitScope(raw.scope).includes('openid')) return deps.views.error(400, strings.noRedirectUri);
    if (client.redirectUris.length === 1 && client.redirectUris[0]) return client.redirectUris[0];
    return deps.views.error(400, strings.ambiguousRedirectUri);
  }
  if (!isRegisteredRedirectUri(client, uri)) {
    deps.log.info(
      {
        event: 'authorize.redirect_uri_mismatch',
        client_id: client.clientId,
        redirect_uri: uri.slice(0, 500),
        // How the request differs from each registered URI: the exact match leaves no other clue.
        compared: diagnoseRedirectUri(uri.slice(0, 2000), client.redirectUris),
      },
      'redirect_uri is not registered for this client',
    );
    return deps.views.error(400, strings.unregisteredRedirectUri);
  }
  return uri;
}

function validate(raw: Record<string, string>, client: ClientRecord, redirectUri: string): AuthorizationParams {
  // OIDC Core §6: request objects are not supported, and saying so is required.
  if (raw.request !== undefined) throw new OAuthError('request_not_supported', 'request objects are not supported');
  if (raw.request_uri !== undefined) throw new OAuthError('request_uri_not_supported', 'request_uri is not supported');
  if (raw.response_type === undefined) throw new OAuthError('invalid_request', 'response_type is required');
  if (raw.response_type !== 'code') throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
  if (raw.response_mode !== undefined && raw.response_mode !== 'query') {
    throw new OAuthError('invalid_request', 'only response_mode=query is supported');
  }
  if (!client.grantTypes.includes('authorization_code')) {
    throw new OAuthError('unauthorized_client', 'this client may not use the authorization code grant');
  }
  // RFC 6749 §3.3: absent scope falls back to the client's registered scope.
  const scope = raw.scope === undefined ? splitScope(client.scope) : splitScope(raw.scope);
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'no scope was requested');
  if (!isSubset(scope, splitScope(client.scope))) throw new OAuthError('invalid_scope', 'a requested scope is not allowed for this client');

  const pkce = challengeProblem(raw.code_challenge, raw.code_challenge_method);
  if (pkce) throw new OAuthError('invalid_request', pkce);

  const prompt = splitScope(raw.prompt) as AuthorizationParams['prompt'];
  for (const p of prompt) {
    if (!(PROMPTS as readonly string[]).includes(p)) throw new OAuthError('invalid_request', `prompt "${p}" is not supported`);
  }
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (prompt.includes('none') && prompt.length > 1) throw new OAuthError('invalid_request', 'prompt=none cannot be combined');

  let maxAge: number | null = null;
  if (raw.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(raw.max_age)) throw new OAuthError('invalid_request', 'max_age must be a non-negative integer');
    maxAge = Number(raw.max_age);
  }
  return {
    clientId: client.clientId,
    redirectUri,
    redirectUriGiven: raw.redirect_uri !== undefined,
    scope: joinScope(scope),
    state: raw.state ?? null,
    nonce: raw.nonce ?? null,
    codeChallenge: raw.code_challenge as string,
    prompt,
    maxAge,
    resources: [],
  };
}
