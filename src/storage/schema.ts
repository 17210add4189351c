// The SQL tables behind the stores (snake_case columns; times are epoch seconds).
import type { Generated } from 'kysely';

export interface Database {
  clients: {
    client_id: string;
    secret_hash: string | null;
    name: string;
    redirect_uris: string;
    grant_types: string;
    token_endpoint_auth_method: string;
    scope: string;
    created_at: number;
    post_logout_redirect_uris: string;
    resources: string;
    refresh_token_ttl: number | null;
    refresh_token_idle_ttl: number | null;
    disabled_at: number | null;
    /** RFC 7591 §2 `jwks` (a JSON JWK Set of public keys) and `jwks_uri` (migration 0011). */
    jwks: string | null;
    jwks_uri: string | null;
    require_pushed_authorization_requests: number;
    dpop_bound_access_tokens: number;
    /** Migration 0010: 1 when the client requires a second factor. */
    require_mfa: Generated<number>;
    /** OIDC Back-Channel Logout 1.0 §2.2 (migration 0013). */
    backchannel_logout_uri: string | null;
    backchannel_logout_session_required: Generated<number>;
  };
  users: {
    id: string;
    username: string;
    password_hash: string;
    email: string | null;
    email_verified: number;
    name: string | null;
    created_at: number;
    /** accounts/username.ts: the form usernames are unique in and looked up by (migration 0005). */
    username_normalized: string;
    disabled_at: number | null;
    /** JSON lists (migration 0012). */
    roles: string;
    groups: string;
  };
  sessions: {
    id_hash: string;
    user_id: string;
    auth_time: number;
    expires_at: number;
    amr: Generated<string>;
    /** OIDC Back-Channel Logout 1.0 §2.4 `sid`: not secret, unlike the cookie (migration 0013). */
    sid: string | null;
  };
  interactions: {
    id: string;
    params: string;
    browser_hash: string;
    user_id: string | null;
    auth_time: number | null;
    expires_at: number;
    consented: number;
    amr: string | null;
  };
  consents: { user_id: string; client_id: string; scope: string; resources: string; updated_at: number };
  /** Clients registered dynamically (migration 0009). */
  client_registrations: { client_id: string; token_hash: string; created_at: number; unused_until: number | null };
  grants: {
    id: string;
    client_id: string;
    user_id: string | null;
    scope: string;
    auth_time: number | null;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
    resources: string;
    /** The `sid` of the session the grant was issued in (migration 0013). */
    sid: string | null;
    /** RFC 8176 amr values, space-separated ('' when unknown), and the acr satisfied (migration 0015). */
    amr: string;
    acr: string | null;
  };
  codes: {
    code_hash: string;
    grant_id: string;
    client_id: string;
    user_id: string;
    redirect_uri: string;
    code_challenge: string;
    scope: string;
    nonce: string | null;
    auth_time: number;
    expires_at: number;
    consumed_at: number | null;
    amr: Generated<string>;
    acr: string | null;
    /** RFC 9449 §10: the JWK thumbprint the code is bound to by `dpop_jkt` (migration 0014). */
    dpop_jkt: string | null;
  };
  refresh_tokens: {
    token_hash: string;
    grant_id: string;
    client_id: string;
    user_id: string;
    scope: string;
    auth_time: number;
    created_at: number;
    expires_at: number;
    consumed_at: number | null;
    replaced_by: string | null;
    successor: string | null;
    /** RFC 9449 §5: the JWK thumbprint a public client's refresh token is bound to (migration 0011). */
    dpop_jkt: string | null;
  };
  audit_events: {
    /** Sortable: the time, zero-padded, then a random part (admin/audit.ts pages by it). */
    id: string;
    at: number;
    event: string;
    client_id: string | null;
    user_id: string | null;
    data: string;
    expires_at: number;
  };
  revoked_access_tokens: { jti: string; expires_at: number };
  /** OIDC Back-Channel Logout 1.0 §2.5: logout tokens to deliver (migration 0013); next_attempt_at and lease_until in epoch milliseconds. */
  backchannel_logout_jobs: {
    id: string;
    client_id: string;
    user_id: string;
    sid: string | null;
    attempts: number;
    next_attempt_at: number;
    lease_until: number;
    created_at: number;
    expires_at: number;
  };
  /** One-time identifiers (client assertions, DPoP proofs) seen, kept until they expire (migration 0011). */
  used_jtis: { key: string; expires_at: number };
  /** RFC 9126: pushed authorization requests, by the hash of their request_uri (migration 0011). */
  pushed_requests: { id_hash: string; client_id: string; params: string; expires_at: number };
  /** RFC 8628: device authorization requests (migration 0011). */
  device_codes: {
    device_code_hash: string;
    user_code_hash: string;
    client_id: string;
    scope: string;
    resources: string;
    status: string;
    user_id: string | null;
    auth_time: number | null;
    /** RFC 8176 amr values of the approval, space-separated ('' until approved; migration 0016). */
    amr: string;
    interval: number;
    last_polled_at: number | null;
    slowed: number;
    created_at: number;
    expires_at: number;
  };
  throttle: { key: string; failures: number; last_failure_at: number; expires_at: number };
  signing_keys: {
    kid: string;
    alg: string;
    private_jwk: string;
    public_jwk: string;
    created_at: number;
    activates_at: number;
    retires_at: number | null;
    expires_at: number | null;
    replaces: string | null;
  };
  totp_factors: { user_id: string; secret: string; confirmed_at: number | null; last_step: number; created_at: number };
  recovery_codes: { user_id: string; code_hash: string; used_at: number | null; created_at: number };
  passkeys: {
    id: string;
    user_id: string;
    public_key: string;
    counter: number;
    transports: string;
    backup_eligible: number;
    backup_state: number;
    name: string;
    created_at: number;
    last_used_at: number | null;
  };
  webauthn_challenges: { id_hash: string; challenge: string; user_id: string | null; expires_at: number };
}
