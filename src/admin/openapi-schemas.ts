// The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what the admin API sends and takes.

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const strs = { type: 'array', items: str } as const;
const nullable = (t: 'string' | 'integer') => ({ type: [t, 'null'] });

/** The client metadata an update may change; a new client may also name its id, secret and auth method. */
const changeableClientFields = {
  client_name: str,
  redirect_uris: strs,
  post_logout_redirect_uris: strs,
  grant_types: strs,
  scope: str,
  resources: strs,
  refresh_token_ttl: int,
  refresh_token_idle_ttl: int,
  // OIDC Back-Channel Logout 1.0 §2.2 (null removes the URI).
  backchannel_logout_uri: nullable('string'),
  backchannel_logout_session_required: { type: 'boolean' },
};
const list = (item: string) => ({
  type: 'object',
  required: ['items', 'next_cursor'],
  properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, next_cursor: nullable('string') },
  additionalProperties: false,
});

const clientProps = {
  client_id: str,
  client_secret: str,
  client_secret_expires_at: int,
  client_name: str,
  redirect_uris: strs,
  post_logout_redirect_uris: strs,
  grant_types: {
    type: 'array',
    items: {
      enum: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
    },
  },
  token_endpoint_auth_method: str,
  scope: str,
  resources: strs,
  refresh_token_ttl: int,
  refresh_token_idle_ttl: int,
  // RFC 7591 §2: the client's public keys for private_key_jwt (RFC 7523), by value or by URL.
  jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object' } } } },
  jwks_uri: str,
  // RFC 9126 §6 and RFC 9449 §5.2.
  require_pushed_authorization_requests: { type: 'boolean' },
  dpop_bound_access_tokens: { type: 'boolean' },
  // A second factor at every sign-in for this client (`clients update --require-mfa`).
  require_mfa: { type: 'boolean' },
  // OIDC Back-Channel Logout 1.0 §2.2.
  backchannel_logout_uri: str,
  backchannel_logout_session_required: { type: 'boolean' },
  client_id_issued_at: int,
  disabled: { type: 'boolean' },
  disabled_at: int,
};

const userProps = {
  sub: str,
  username: str,
  email: nullable('string'),
  email_verified: { type: 'boolean' },
  name: nullable('string'),
  roles: strs,
  groups: strs,
  created_at: int,
  disabled: { type: 'boolean' },
  disabled_at: int,
};

const ended = { sessions_ended: int, grants_revoked: int };

export const schemas = {
  Problem: {
    type: 'object',
    description: 'RFC 7807 problem details; `error` is the OAuth-style error code.',
    required: ['type', 'title', 'status', 'detail', 'error'],
    properties: { type: str, title: str, status: int, detail: str, error: str },
  },
  Client: {
    type: 'object',
    required: [
      'client_id',
      'client_name',
      'redirect_uris',
      'grant_types',
      'token_endpoint_auth_method',
      'scope',
      'client_id_issued_at',
      'disabled',
    ],
    properties: clientProps,
    additionalProperties: false,
  },
  ClientChanged: {
    type: 'object',
    required: ['client_id', 'grants_revoked'],
    properties: { ...clientProps, grants_revoked: int },
    additionalProperties: false,
  },
  ClientDeleted: {
    type: 'object',
    required: ['client_id', 'deleted', 'grants_revoked'],
    properties: { client_id: str, deleted: { const: true }, grants_revoked: int },
    additionalProperties: false,
  },
  NewClient: {
    type: 'object',
    description: 'RFC 7591 §2 client metadata.',
    required: ['client_name'],
    properties: {
      ...changeableClientFields,
      token_endpoint_auth_method: { enum: ['client_secret_basic', 'client_secret_post', 'none'] },
      client_id: str,
      client_secret: { type: 'string', minLength: 32 },
    },
    additionalProperties: false,
  },
  ClientChanges: {
    type: 'object',
    properties: changeableClientFields,
    additionalProperties: false,
  },
  ClientList: list('Client'),
  User: {
    type: 'object',
    required: ['sub', 'username', 'email', 'email_verified', 'name', 'roles', 'groups', 'created_at', 'disabled'],
    properties: userProps,
    additionalProperties: false,
  },
  UserChanged: {
    type: 'object',
    required: ['sub', 'sessions_ended', 'grants_revoked'],
    properties: { ...userProps, ...ended },
    additionalProperties: false,
  },
  UserDeleted: {
    type: 'object',
    required: ['sub', 'deleted', 'sessions_ended', 'grants_revoked'],
    properties: { sub: str, deleted: { const: true }, ...ended },
    additionalProperties: false,
  },
  NewUser: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: str,
      password: { type: 'string', minLength: 8 },
      email: str,
      email_verified: { type: 'boolean' },
      name: str,
      roles: strs,
      groups: strs,
    },
    additionalProperties: false,
  },
  UserChanges: {
    type: 'object',
    properties: { email: nullable('string'), email_verified: { type: 'boolean' }, name: nullable('string'), roles: strs, groups: strs },
    additionalProperties: false,
  },
  Password: {
    type: 'object',
    required: ['password'],
    properties: { password: { type: 'string', minLength: 8 } },
    additionalProperties: false,
  },
  UserList: list('User'),
  Ended: { type: 'object', required: ['sessions_ended', 'grants_revoked'], properties: ended, additionalProperties: false },
  SessionEnded: { type: 'object', required: ['sessions_ended'], properties: { sessions_ended: int }, additionalProperties: false },
  GrantsRevoked: { type: 'object', required: ['grants_revoked'], properties: { grants_revoked: int }, additionalProperties: false },
  Session: {
    type: 'object',
    required: ['session_id', 'auth_time', 'expires_at'],
    properties: { session_id: str, auth_time: int, expires_at: int },
    additionalProperties: false,
  },
  SessionList: list('Session'),
  Grant: {
    type: 'object',
    required: ['grant_id', 'client_id', 'sub', 'scope', 'resources', 'auth_time', 'created_at', 'expires_at'],
    properties: {
      grant_id: str,
      client_id: str,
      sub: nullable('string'),
      scope: str,
      resources: strs,
      auth_time: nullable('integer'),
      created_at: int,
      expires_at: int,
      revoked: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  GrantList: list('Grant'),
  Consent: {
    type: 'object',
    required: ['sub', 'client_id', 'scope', 'resources', 'updated_at'],
    properties: { sub: str, client_id: str, scope: str, resources: strs, updated_at: int },
    additionalProperties: false,
  },
  ConsentList: list('Consent'),
  Key: {
    type: 'object',
    required: ['kid', 'alg', 'status', 'created_at', 'activates_at', 'retires_at', 'expires_at', 'public_jwk'],
    properties: {
      kid: str,
      alg: { enum: ['RS256', 'ES256', 'EdDSA'] },
      status: { enum: ['published', 'active', 'retiring', 'retired'] },
      created_at: int,
      activates_at: int,
      retires_at: nullable('integer'),
      expires_at: nullable('integer'),
      public_jwk: { type: 'object', required: ['kty', 'kid'], not: { required: ['d'] } },
    },
    additionalProperties: false,
  },
  KeyList: list('Key'),
  Rotate: { type: 'object', properties: { immediately: { type: 'boolean' } }, additionalProperties: false },
  ImportKey: {
    type: 'object',
    required: ['jwk'],
    properties: {
      jwk: { type: 'object', required: ['kty', 'd'] },
      alg: { enum: ['RS256', 'ES256', 'EdDSA'] },
      immediately: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  AuditEvent: {
    type: 'object',
    required: ['id', 'at', 'event', 'client_id', 'sub', 'data'],
    properties: { id: str, at: int, event: str, client_id: nullable('string'), sub: nullable('string'), data: { type: 'object' } },
    additionalProperties: false,
  },
  AuditEventList: list('AuditEvent'),
} as const;
