// RFC 7519 §4.1, RFC 9068 §2.2, OIDC Core §2: the claim names only the server sets (no imports, so
// that the configuration's validation can use it).

/** The claims the server sets itself: an extra claim may not use these names. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  // RFC 7519 §4.1
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  // RFC 9068 §2.2, RFC 8693 §4, RFC 9449 §6
  'client_id',
  'scope',
  'auth_time',
  'acr',
  'amr',
  'act',
  'may_act',
  'cnf',
  // OIDC Core §2, §3.1.3.6, §3.3.2.11, OIDC Front-Channel / Back-Channel Logout
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'events',
  // Latchkey's own
  'grant_id',
]);
