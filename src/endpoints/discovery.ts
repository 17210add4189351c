// RFC 8414 §2-§3 and OIDC Discovery 1.0 §3: server metadata. Only what is implemented is advertised.
import { ACR_VALUES } from '../accounts/assurance.ts';
import type { Deps } from '../deps.ts';
import { publicJson } from '../http/respond.ts';
import type { OAuthResponse } from '../http/types.ts';

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
    scopes_supported: config.supportedScopes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [config.idTokenAlg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    // RFC 7662 §2.1: introspection needs a confidential client.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
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
      'name',
      'preferred_username',
      'email',
      'email_verified',
    ],
    prompt_values_supported: ['none', 'login', 'consent'],
    // OIDC Discovery §3: the acr values acr_values may ask for (accounts/assurance.ts).
    acr_values_supported: [...ACR_VALUES],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9207 §3: iss is sent in every authorization response.
    authorization_response_iss_parameter_supported: true,
  };
}

export async function discoveryEndpoint(deps: Pick<Deps, 'config'>): Promise<OAuthResponse> {
  return publicJson(metadata(deps), 300);
}

export async function jwksEndpoint(deps: Pick<Deps, 'keys'>): Promise<OAuthResponse> {
  const res = publicJson(deps.keys.jwks(), 300);
  res.headers['content-type'] = 'application/jwk-set+json; charset=utf-8';
  return res;
}
