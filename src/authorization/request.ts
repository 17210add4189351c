// RFC 6749 §3.1 and §4.1.1, OAuth 2.1 §4.1.1, OIDC Core §3.1.2.1-§3.1.2.2: reading and validating
// an authorization request. Until the client and its redirect URI are verified, an error is a page
// for the person (RFC 6749 §4.1.2.1); after, it goes back to the client (respond.ts).
import { isDocumentClient } from '../clients/metadata-document.ts';
import { isRegisteredRedirectUri } from '../clients/redirect-uri.ts';
import { diagnoseRedirectUri } from '../clients/redirect-uri-diagnosis.ts';
import type { Config } from '../config/schema.ts';
import { OAuthError, pageError } from '../errors.ts';
import { challengeProblem } from '../grants/pkce.ts';
import { checkResources, scopePolicy } from '../grants/resource.ts';
import { isSubset, joinScope, splitScope } from '../grants/scope.ts';
import { collectParams } from '../http/body.ts';
import type { OAuthRequest } from '../http/types.ts';
import { strings } from '../interaction/strings.ts';
import type { Log } from '../log.ts';
import type { AuthorizationParams, ClientRecord, ClientStore, PushedRequestStore } from '../storage/types.ts';
import { pushedRequest } from './pushed.ts';
import { authorizationError } from './respond.ts';

const PROMPTS = ['login', 'consent', 'none'] as const;
/** A SHA-256 digest in base64url without padding: 43 characters. */
const DPOP_JKT = /^[A-Za-z0-9_-]{43}$/;

/** What the stored interaction keeps of a request is bounded, so that a flood of them stays small. */
export const MAX_STATE_LENGTH = 2048;
export const MAX_NONCE_LENGTH = 512;
export const MAX_LOGIN_HINT_LENGTH = 256;
export const MAX_UI_LOCALES_LENGTH = 256;

export interface RequestDeps {
  clients: Pick<ClientStore, 'get'>;
  pushedRequests: Pick<PushedRequestStore, 'consume'>;
  config: Config;
  log: Log;
  /** Epoch seconds. */
  clock: () => number;
}

/** The client and the validated parameters of an authorization request, or a thrown OAuthError. */
export async function readAuthorizationRequest(
  req: OAuthRequest,
  deps: RequestDeps,
): Promise<{ client: ClientRecord; params: AuthorizationParams }> {
  let raw: Record<string, string>;
  let resources: string[];
  try {
    // OIDC Core §3.1.2.1: GET and POST are both supported; POST uses form serialization.
    ({
      params: raw,
      lists: { resource: resources = [] },
    } = collectParams([req.query, req.method === 'POST' ? req.body : null], ['resource']));
  } catch (e) {
    throw e instanceof OAuthError ? pageError(400, e.description) : e;
  }

  // RFC 6749 §4.1.2.1: until client and redirect URI are verified, errors go to the person, never to a redirect.
  if (!raw.client_id) throw pageError(400, strings.noClientId);
  // RFC 9126 §4: a request_uri stands for the parameters pushed before, and only those.
  const pushed = raw.request_uri !== undefined;
  if (pushed) ({ params: raw, resources } = await pushedRequest(raw.client_id, raw.request_uri as string, deps));
  const client = await deps.clients.get(raw.client_id as string);
  // draft-ietf-oauth-client-id-metadata-document-03 §5: an unusable document leaves no redirect URI to trust.
  if (!client)
    throw pageError(400, isDocumentClient(raw.client_id as string, deps.config) ? strings.unusableClientDocument : strings.unknownClient);
  // RFC 6749 §4.1.2.1: a disabled client's identifier is not valid now, so its redirect URI is not trusted either.
  if (client.disabledAt !== null) throw pageError(400, strings.disabledClient);
  const redirectUri = redirectTarget(client, raw, deps.log);
  const state = raw.state ?? null;
  try {
    // RFC 9126 §5 and §6: PAR required for every client, or for this one.
    if (!pushed && (deps.config.requirePushedAuthorizationRequests || client.requirePushedAuthorizationRequests)) {
      throw new OAuthError('invalid_request', 'this client must use pushed authorization requests (request_uri)');
    }
    return { client, params: validateParams(raw, resources, client, redirectUri, deps.config) };
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    // A state too long to keep is not sent back either: the client learns why without it.
    const shownState = state !== null && state.length <= MAX_STATE_LENGTH ? state : null;
    throw authorizationError({ redirectUri, state: shownState }, deps.config.issuer, e.code, e.description);
  }
}

/**
 * Every check of an authorization request once its redirect URI is known (also for RFC 9126 §2.1,
 * which validates a pushed request as the authorization endpoint would).
 */
export function validateParams(
  raw: Record<string, string>,
  resources: string[],
  client: ClientRecord,
  redirectUri: string,
  config: Config,
): AuthorizationParams {
  const checked = checkResources(resources, client, config);
  const params = validate(raw, client, redirectUri, scopePolicy(checked, client, config));
  params.resources = checked;
  return params;
}

/** RFC 6749 §3.1.2.3 and OAuth 2.1 §2.3.1: the redirect URI by exact match, or the only one registered. */
export function redirectTarget(client: ClientRecord, raw: Record<string, string>, log: Log): string {
  const uri = raw.redirect_uri;
  if (uri === undefined) {
    // OIDC Core §3.1.2.1: redirect_uri is REQUIRED for OpenID requests.
    if (splitScope(raw.scope).includes('openid')) throw pageError(400, strings.noRedirectUri);
    if (client.redirectUris.length === 1 && client.redirectUris[0]) return client.redirectUris[0];
    throw pageError(400, strings.ambiguousRedirectUri);
  }
  if (!isRegisteredRedirectUri(client, uri)) {
    log.info(
      {
        event: 'authorize.redirect_uri_mismatch',
        client_id: client.clientId,
        redirect_uri: uri.slice(0, 500),
        // How the request differs from each registered URI: the exact match leaves no other clue.
        compared: diagnoseRedirectUri(uri.slice(0, 2000), client.redirectUris),
      },
      'redirect_uri is not registered for this client',
    );
    throw pageError(400, strings.unregisteredRedirectUri);
  }
  return uri;
}

function validate(
  raw: Record<string, string>,
  client: ClientRecord,
  redirectUri: string,
  scopes: { allowed: string[]; defaults: string[] },
): AuthorizationParams {
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
  if (raw.state !== undefined && raw.state.length > MAX_STATE_LENGTH) {
    throw new OAuthError('invalid_request', `state is longer than ${MAX_STATE_LENGTH} characters`);
  }
  if (raw.nonce !== undefined && raw.nonce.length > MAX_NONCE_LENGTH) {
    throw new OAuthError('invalid_request', `nonce is longer than ${MAX_NONCE_LENGTH} characters`);
  }
  if (raw.login_hint !== undefined && raw.login_hint.length > MAX_LOGIN_HINT_LENGTH) {
    throw new OAuthError('invalid_request', `login_hint is longer than ${MAX_LOGIN_HINT_LENGTH} characters`);
  }
  // OIDC Core §3.1.2.1: ui_locales is a space-separated list of BCP 47 language tags.
  const uiLocales = splitScope(raw.ui_locales);
  if (
    raw.ui_locales !== undefined &&
    (raw.ui_locales.length > MAX_UI_LOCALES_LENGTH || uiLocales.some((l) => !/^[A-Za-z0-9-]{1,35}$/.test(l)))
  ) {
    throw new OAuthError('invalid_request', 'ui_locales must be space-separated language tags');
  }
  // RFC 6749 §3.3: absent scope falls back to a default: the requested registry resources' default
  // scopes, else the client's registered scope (grants/resource.ts scopePolicy).
  const scope = raw.scope === undefined ? scopes.defaults : splitScope(raw.scope);
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'no scope was requested');
  if (!isSubset(scope, scopes.allowed)) throw new OAuthError('invalid_scope', 'a requested scope is not allowed for this client');

  const pkce = challengeProblem(raw.code_challenge, raw.code_challenge_method);
  if (pkce) throw new OAuthError('invalid_request', pkce);

  const prompt = splitScope(raw.prompt) as AuthorizationParams['prompt'];
  for (const p of prompt) {
    if (!(PROMPTS as readonly string[]).includes(p)) throw new OAuthError('invalid_request', `prompt may only be ${PROMPTS.join(', ')}`);
  }
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (prompt.includes('none') && prompt.length > 1) throw new OAuthError('invalid_request', 'prompt=none cannot be combined');

  // RFC 9449 §10: dpop_jkt is the base64url SHA-256 JWK thumbprint (RFC 7638) of the client's DPoP key.
  if (raw.dpop_jkt !== undefined && !DPOP_JKT.test(raw.dpop_jkt)) {
    throw new OAuthError('invalid_request', 'dpop_jkt must be a base64url SHA-256 JWK thumbprint');
  }

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
    ...(raw.login_hint !== undefined ? { loginHint: raw.login_hint } : {}),
    ...(uiLocales.length > 0 ? { uiLocales } : {}),
    ...(raw.acr_values !== undefined ? { acrValues: acrValues(raw.acr_values) } : {}),
    ...(raw.dpop_jkt !== undefined ? { dpopJkt: raw.dpop_jkt } : {}),
  };
}

/** OIDC Core §3.1.2.1: acr_values is a space-separated list; bounded like state, since it is stored. */
function acrValues(raw: string): string[] {
  if (raw.length > 512) throw new OAuthError('invalid_request', 'acr_values is longer than 512 characters');
  return splitScope(raw);
}
