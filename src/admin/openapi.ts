// The OpenAPI 3.1 description of the admin API, served at /admin/v1/openapi.json. Built from the
// route table, so that a route without a description here is caught by the test that checks every
// answer of the end-to-end tests against this document.
import type { Config } from '../config/schema.ts';
import { ADMIN_PATH, ADMIN_READ_SCOPE, ADMIN_SCOPE, adminAudience } from './auth.ts';
import { schemas } from './openapi-schemas.ts';
import type { AdminRoute } from './types.ts';

type SchemaName = keyof typeof schemas;

interface Operation {
  summary: string;
  request?: SchemaName;
  ok: [number, SchemaName];
  query?: string[];
  etag?: boolean;
}

const paging = ['limit', 'cursor'];

/** Each route's description, by `METHOD path`. */
export const operations: Record<string, Operation> = {
  'GET /clients': { summary: 'List clients', ok: [200, 'ClientList'], query: paging },
  'POST /clients': {
    summary: 'Register a client (RFC 7591 field names); the secret is shown once',
    request: 'NewClient',
    ok: [201, 'Client'],
  },
  'GET /clients/{client_id}': { summary: 'Read a client', ok: [200, 'Client'], etag: true },
  'PATCH /clients/{client_id}': { summary: 'Change a client (If-Match)', request: 'ClientChanges', ok: [200, 'Client'], etag: true },
  'POST /clients/{client_id}/disable': { summary: 'Disable a client and revoke its grants', ok: [200, 'ClientChanged'] },
  'POST /clients/{client_id}/enable': { summary: 'Enable a client', ok: [200, 'Client'] },
  'POST /clients/{client_id}/secret': { summary: 'Give a client a new secret (shown once)', ok: [200, 'Client'] },
  'DELETE /clients/{client_id}': { summary: 'Delete a client, revoking its grants', ok: [200, 'ClientDeleted'] },
  'DELETE /clients/{client_id}/grants': { summary: 'Revoke every grant of a client', ok: [200, 'GrantsRevoked'] },
  'GET /clients/{client_id}/grants': { summary: 'List the live grants of a client', ok: [200, 'GrantList'], query: paging },
  'GET /clients/{client_id}/consents': { summary: 'List the consents given to a client', ok: [200, 'ConsentList'], query: paging },
  'GET /users': {
    summary: 'List users; search matches part of the username or email',
    ok: [200, 'UserList'],
    query: [...paging, 'search'],
  },
  'POST /users': { summary: 'Create a user', request: 'NewUser', ok: [201, 'User'] },
  'GET /users/{sub}': { summary: 'Read a user', ok: [200, 'User'], etag: true },
  'PATCH /users/{sub}': { summary: 'Change a user (If-Match)', request: 'UserChanges', ok: [200, 'User'], etag: true },
  'POST /users/{sub}/disable': { summary: 'Disable a user, ending its sessions and grants', ok: [200, 'UserChanged'] },
  'POST /users/{sub}/enable': { summary: 'Enable a user', ok: [200, 'User'] },
  'PUT /users/{sub}/password': { summary: 'Set a password, ending sessions and grants', request: 'Password', ok: [200, 'UserChanged'] },
  'DELETE /users/{sub}': { summary: 'Delete a user, ending its access', ok: [200, 'UserDeleted'] },
  'GET /users/{sub}/sessions': { summary: "List a user's sessions", ok: [200, 'SessionList'] },
  'DELETE /users/{sub}/sessions': { summary: 'Sign a user out everywhere: sessions and grants end', ok: [200, 'Ended'] },
  'DELETE /users/{sub}/sessions/{session_id}': { summary: 'End one session', ok: [200, 'SessionEnded'] },
  'GET /users/{sub}/grants': { summary: 'List the live grants of a user', ok: [200, 'GrantList'], query: paging },
  'GET /users/{sub}/consents': { summary: 'List the applications a user has allowed', ok: [200, 'ConsentList'], query: paging },
  'DELETE /users/{sub}/consents/{client_id}': {
    summary: "Withdraw a consent on the user's behalf: grants end, consent forgotten",
    ok: [200, 'GrantsRevoked'],
  },
  'GET /grants/{grant_id}': { summary: 'Read a grant', ok: [200, 'Grant'] },
  'DELETE /grants/{grant_id}': { summary: 'Revoke one grant: its tokens become inactive', ok: [200, 'GrantsRevoked'] },
  'GET /keys': { summary: 'List the published signing keys (public parts)', ok: [200, 'KeyList'] },
  'POST /keys/rotate': { summary: 'Rotate the signing keys', request: 'Rotate', ok: [201, 'KeyList'] },
  'POST /keys': { summary: 'Import a private JWK as the next signing key of its algorithm', request: 'ImportKey', ok: [201, 'KeyList'] },
  'GET /audit-events': {
    summary: 'Query the audit events kept in the database',
    ok: [200, 'AuditEventList'],
    query: [...paging, 'from', 'to', 'sub', 'client_id', 'event'],
  },
};

export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function operation(route: AdminRoute): Record<string, unknown> {
  const key = `${route.method} ${openApiPath(route.path)}`;
  const op = operations[key];
  if (!op) throw new Error(`the admin route ${key} has no OpenAPI description`);
  const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = (op.query ?? []).map((name) => ({
    name,
    in: 'query',
    required: false,
    schema: name === 'limit' || name === 'from' || name === 'to' ? { type: 'integer' } : { type: 'string' },
  }));
  const ifMatch = route.method === 'PATCH' ? [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }] : [];
  return {
    summary: op.summary,
    operationId: key.replace(/[^A-Za-z]+/g, '_').replace(/_$/, ''),
    security: [{ client_credentials: [route.write ? ADMIN_SCOPE : ADMIN_READ_SCOPE] }],
    ...(params.length || query.length || ifMatch.length ? { parameters: [...params, ...query, ...ifMatch] } : {}),
    ...(op.request
      ? {
          requestBody: {
            required: route.method !== 'POST' || !op.request.startsWith('Rotate'),
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.request}` } } },
          },
        }
      : {}),
    responses: {
      [String(op.ok[0])]: {
        description: 'OK',
        ...(op.etag ? { headers: { ETag: { schema: { type: 'string' } } } } : {}),
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.ok[1]}` } } },
      },
      '400': problem('Bad request'),
      '401': problem('No valid admin access token'),
      '403': problem('Not a client credentials token, or a scope is missing'),
      '404': problem('No such resource'),
      '405': problem('Method not allowed'),
      '409': problem('Conflict'),
      '412': problem('If-Match does not match'),
    },
  };
}

/** The document for this server (its issuer and token endpoint). */
export function openApiDocument(config: Pick<Config, 'issuer'>, routes: readonly AdminRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = openApiPath(r.path);
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey admin API',
      version: '1',
      description: `Access tokens from the client credentials grant with resource=${adminAudience(config)} and the scope ${ADMIN_SCOPE} (${ADMIN_READ_SCOPE} to read only).`,
    },
    servers: [{ url: `${config.issuer}${ADMIN_PATH}` }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        client_credentials: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${config.issuer}/token`,
              scopes: { [ADMIN_SCOPE]: 'everything', [ADMIN_READ_SCOPE]: 'read only' },
            },
          },
        },
      },
    },
  };
}
