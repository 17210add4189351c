// RFC 8414 §2-§3 and OIDC Discovery 1.0 §3: server metadata. Only what is implemented is advertised.

import { ACR_VALUES } from '../accounts/assurance.ts';
import { adminScopes } from '../config/defaults.ts';
import type { Deps } from '../deps.ts';
import { publicJson } from '../http/respond.ts';
import type { OAuthResponse } from '../http/types.ts';
import { pageStrings } from '../interaction/strings.ts';
import { CLIENT_ASSERTION_ALGS } from '../tokens/algorithms.ts';
import { DPOP_ALGS } from '../tokens/dpop-proof.ts';

export function metadata(deps: Pick<Deps, 'config'>): Record<string, unknown> {
  const { config } = deps;
  const iss = config.issuer;
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/authorize`,
    token_endpoint: `${iss}/token`,
    userinfo_endpoint: `${iss}/userinfo`,
    introspection_endpoint: `${iss}/introspect`,
    revocation_endpoint: `${iss}/revoke`,
    end_session_endpoint: `${iss}/end-session`,
    jwks_uri: `${iss}/jwks`,
    // RFC 8414 §2: a server MAY leave scopes out; the admin API's are for operators, not advertised.
    scopes_supported: config.supportedScopes.filter((s) => !(adminScopes as readonly string[]).includes(s)),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ],
    // RFC 8628 §4: the device authorization endpoint.
    device_authorization_endpoint: `${iss}/device_authorization`,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [config.idTokenAlg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // RFC 7662 §2.1: introspection needs a confidential client.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // RFC 8414 §2: the algorithms of private_key_jwt assertions (asymmetric only).
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGS,
    code_challenge_methods_supported: ['S256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'at_hash',
      'amr',
      'acr',
      'sid',
      'name',
      'preferred_username',
      'email',
      'email_verified',
    ],
    prompt_values_supported: ['none', 'login', 'consent'],
    // OIDC Discovery §3: the languages the pages can be shown in (ui_locales).
    ui_locales_supported: Object.keys(pageStrings),
    // OIDC Discovery §3: the acr values acr_values may ask for (accounts/assurance.ts).
    acr_values_supported: [...ACR_VALUES],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    // OIDC Core §6.2 request_uri (fetching a request object) is not supported; PAR's request_uri is.
    request_uri_parameter_supported: false,
    // RFC 9207 §3: iss is sent in every authorization response.
    authorization_response_iss_parameter_supported: true,
    // RFC 8414 §2 / RFC 7591 §3: only when registration is enabled.
    ...(config.registration.enabled ? { registration_endpoint: `${iss}/register` } : {}),
    // draft-ietf-oauth-client-id-metadata-document-03 §5: advertised only when documents are resolved.
    ...(config.clientIdMetadataDocuments.enabled ? { client_id_metadata_document_supported: true } : {}),
    // RFC 9126 §5: pushed authorization requests, required of every client or of some.
    pushed_authorization_request_endpoint: `${iss}/par`,
    // RFC 9449 §5.1: DPoP proofs are accepted with these algorithms.
    dpop_signing_alg_values_supported: DPOP_ALGS,
    require_pushed_authorization_requests: config.requirePushedAuthorizationRequests,
    // OIDC Back-Channel Logout 1.0 §2.1: logout tokens are sent, and they (and ID tokens) carry sid.
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

/** The metadata of each configuration, built once (a configuration is not changed after start-up). */
const documents = new WeakMap<Deps['config'], Record<string, unknown>>();

export async function discoveryEndpoint(deps: Pick<Deps, 'config'>): Promise<OAuthResponse> {
  let document = documents.get(deps.config);
  if (!document) {
    document = metadata(deps);
    documents.set(deps.config, document);
  }
  return publicJson(document, 300);
}

export async function jwksEndpoint(deps: Pick<Deps, 'keys'>): Promise<OAuthResponse> {
  const res = publicJson(deps.keys.jwks(), 300);
  res.headers['content-type'] = 'application/jwk-set+json; charset=utf-8';
  return res;
}
