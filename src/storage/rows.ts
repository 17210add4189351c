// Mapping between SQL rows (snake_case) and store records (camelCase).
import type { Selectable } from 'kysely';
import { normalizeUsername } from '../accounts/username.ts';
import type { Database } from './schema.ts';
import type {
  ClientJwks,
  ClientRecord,
  CodeRecord,
  GrantRecord,
  InteractionRecord,
  KeyRecord,
  RefreshTokenRecord,
  SessionRecord,
  UserRecord,
} from './types.ts';

export type Row<T extends keyof Database> = Selectable<Database[T]>;

/** pg returns int8 as a string unless told otherwise; both engines go through this. */
const n = (v: number | string): number => Number(v);
const nn = (v: number | string | null): number | null => (v === null ? null : Number(v));
/** RFC 8176 amr values, stored space-separated. */
export const splitAmr = (v: string | null): string[] | null => (v === null ? null : v.split(' ').filter(Boolean));

export const clientFromRow = (r: Row<'clients'>): ClientRecord => ({
  clientId: r.client_id,
  secretHash: r.secret_hash,
  name: r.name,
  redirectUris: JSON.parse(r.redirect_uris) as string[],
  grantTypes: JSON.parse(r.grant_types) as ClientRecord['grantTypes'],
  tokenEndpointAuthMethod: r.token_endpoint_auth_method as ClientRecord['tokenEndpointAuthMethod'],
  scope: r.scope,
  createdAt: n(r.created_at),
  postLogoutRedirectUris: JSON.parse(r.post_logout_redirect_uris) as string[],
  resources: JSON.parse(r.resources) as string[],
  refreshTokenTtl: nn(r.refresh_token_ttl),
  refreshTokenIdleTtl: nn(r.refresh_token_idle_ttl),
  disabledAt: nn(r.disabled_at),
  jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as ClientJwks),
  jwksUri: r.jwks_uri,
  requirePushedAuthorizationRequests: Boolean(n(r.require_pushed_authorization_requests)),
  dpopBoundAccessTokens: Boolean(n(r.dpop_bound_access_tokens)),
  ...(n(r.require_mfa ?? 0) ? { requireMfa: true } : {}),
  ...(r.backchannel_logout_uri ? { backchannelLogoutUri: r.backchannel_logout_uri } : {}),
  ...(n(r.backchannel_logout_session_required ?? 0) ? { backchannelLogoutSessionRequired: true } : {}),
});

export const clientToRow = (c: ClientRecord): Row<'clients'> => ({
  client_id: c.clientId,
  secret_hash: c.secretHash,
  name: c.name,
  redirect_uris: JSON.stringify(c.redirectUris),
  grant_types: JSON.stringify(c.grantTypes),
  token_endpoint_auth_method: c.tokenEndpointAuthMethod,
  scope: c.scope,
  created_at: c.createdAt,
  post_logout_redirect_uris: JSON.stringify(c.postLogoutRedirectUris),
  resources: JSON.stringify(c.resources),
  refresh_token_ttl: c.refreshTokenTtl,
  refresh_token_idle_ttl: c.refreshTokenIdleTtl,
  disabled_at: c.disabledAt,
  jwks: c.jwks ? JSON.stringify(c.jwks) : null,
  jwks_uri: c.jwksUri ?? null,
  require_pushed_authorization_requests: c.requirePushedAuthorizationRequests ? 1 : 0,
  dpop_bound_access_tokens: c.dpopBoundAccessTokens ? 1 : 0,
  require_mfa: c.requireMfa ? 1 : 0,
  backchannel_logout_uri: c.backchannelLogoutUri ?? null,
  backchannel_logout_session_required: c.backchannelLogoutSessionRequired ? 1 : 0,
});

export const userFromRow = (r: Row<'users'>): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  email: r.email,
  emailVerified: Boolean(n(r.email_verified)),
  name: r.name,
  createdAt: n(r.created_at),
  disabledAt: nn(r.disabled_at),
  roles: JSON.parse(r.roles) as string[],
  groups: JSON.parse(r.groups) as string[],
});

export const userToRow = (u: UserRecord): Row<'users'> => ({
  id: u.id,
  username: u.username,
  password_hash: u.passwordHash,
  email: u.email,
  email_verified: u.emailVerified ? 1 : 0,
  name: u.name,
  created_at: u.createdAt,
  username_normalized: normalizeUsername(u.username),
  disabled_at: u.disabledAt,
  roles: JSON.stringify(u.roles),
  groups: JSON.stringify(u.groups),
});

export const sessionFromRow = (r: Row<'sessions'>): SessionRecord => ({
  idHash: r.id_hash,
  userId: r.user_id,
  authTime: n(r.auth_time),
  expiresAt: n(r.expires_at),
  amr: splitAmr(r.amr) ?? ['pwd'],
  ...(r.sid ? { sid: r.sid } : {}),
});

export const interactionFromRow = (r: Row<'interactions'>): InteractionRecord => ({
  id: r.id,
  params: JSON.parse(r.params) as InteractionRecord['params'],
  browserHash: r.browser_hash,
  userId: r.user_id,
  authTime: nn(r.auth_time),
  expiresAt: n(r.expires_at),
  consented: Number(r.consented) === 1,
  ...(r.amr === null ? {} : { amr: splitAmr(r.amr) }),
});

export const grantFromRow = (r: Row<'grants'>): GrantRecord => ({
  id: r.id,
  clientId: r.client_id,
  userId: r.user_id,
  scope: r.scope,
  authTime: nn(r.auth_time),
  createdAt: n(r.created_at),
  expiresAt: n(r.expires_at),
  revokedAt: nn(r.revoked_at),
  resources: JSON.parse(r.resources) as string[],
  ...(r.sid ? { sid: r.sid } : {}),
  ...(r.amr ? { amr: splitAmr(r.amr) ?? [] } : {}),
  ...(r.acr === null ? {} : { acr: r.acr }),
});

export const grantToRow = (g: GrantRecord): Row<'grants'> => ({
  id: g.id,
  client_id: g.clientId,
  user_id: g.userId,
  scope: g.scope,
  auth_time: g.authTime,
  created_at: g.createdAt,
  expires_at: g.expiresAt,
  revoked_at: g.revokedAt,
  resources: JSON.stringify(g.resources),
  sid: g.sid ?? null,
  amr: (g.amr ?? []).join(' '),
  acr: g.acr ?? null,
});

export const codeFromRow = (r: Row<'codes'>): CodeRecord => ({
  codeHash: r.code_hash,
  grantId: r.grant_id,
  clientId: r.client_id,
  userId: r.user_id,
  redirectUri: r.redirect_uri,
  codeChallenge: r.code_challenge,
  scope: r.scope,
  nonce: r.nonce,
  authTime: n(r.auth_time),
  expiresAt: n(r.expires_at),
  consumedAt: nn(r.consumed_at),
  ...(r.amr ? { amr: splitAmr(r.amr) ?? [] } : {}),
  ...(r.acr === null ? {} : { acr: r.acr }),
  ...(r.dpop_jkt ? { dpopJkt: r.dpop_jkt } : {}),
});

export const codeToRow = (c: CodeRecord): Row<'codes'> => ({
  code_hash: c.codeHash,
  grant_id: c.grantId,
  client_id: c.clientId,
  user_id: c.userId,
  redirect_uri: c.redirectUri,
  code_challenge: c.codeChallenge,
  scope: c.scope,
  nonce: c.nonce,
  auth_time: c.authTime,
  expires_at: c.expiresAt,
  consumed_at: c.consumedAt,
  amr: (c.amr ?? []).join(' '),
  acr: c.acr ?? null,
  dpop_jkt: c.dpopJkt ?? null,
});

export const refreshFromRow = (r: Row<'refresh_tokens'>): RefreshTokenRecord => ({
  tokenHash: r.token_hash,
  grantId: r.grant_id,
  clientId: r.client_id,
  userId: r.user_id,
  scope: r.scope,
  authTime: n(r.auth_time),
  createdAt: n(r.created_at),
  expiresAt: n(r.expires_at),
  consumedAt: nn(r.consumed_at),
  replacedBy: r.replaced_by,
  successor: r.successor,
  dpopJkt: r.dpop_jkt,
});

export const refreshToRow = (t: RefreshTokenRecord): Row<'refresh_tokens'> => ({
  token_hash: t.tokenHash,
  grant_id: t.grantId,
  client_id: t.clientId,
  user_id: t.userId,
  scope: t.scope,
  auth_time: t.authTime,
  created_at: t.createdAt,
  expires_at: t.expiresAt,
  consumed_at: t.consumedAt,
  replaced_by: t.replacedBy,
  successor: t.successor,
  dpop_jkt: t.dpopJkt ?? null,
});

export const keyFromRow = (r: Row<'signing_keys'>): KeyRecord => ({
  kid: r.kid,
  alg: r.alg as KeyRecord['alg'],
  privateJwk: r.private_jwk,
  publicJwk: r.public_jwk,
  createdAt: n(r.created_at),
  activatesAt: n(r.activates_at),
  retiresAt: nn(r.retires_at),
  expiresAt: nn(r.expires_at),
  replaces: r.replaces,
});

export const keyToRow = (k: KeyRecord): Row<'signing_keys'> => ({
  kid: k.kid,
  alg: k.alg,
  private_jwk: k.privateJwk,
  public_jwk: k.publicJwk,
  created_at: k.createdAt,
  activates_at: k.activatesAt,
  retires_at: k.retiresAt,
  expires_at: k.expiresAt,
  replaces: k.replaces,
});
