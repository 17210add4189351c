// Admin API: grants (what a person let a client do, with its refresh tokens) and remembered consents,
// listed per user and per client; revoking makes their tokens inactive at once (storage revokeAccess).
import type { ConsentEntry, GrantRecord } from '../storage/types.ts';
import { notFound, paged, reply } from './http.ts';
import type { AdminCall, AdminRoute } from './types.ts';

export function grantJson(g: GrantRecord) {
  return {
    grant_id: g.id,
    client_id: g.clientId,
    sub: g.userId,
    scope: g.scope,
    resources: g.resources,
    auth_time: g.authTime,
    created_at: g.createdAt,
    expires_at: g.expiresAt,
  };
}

export function consentJson(c: ConsentEntry) {
  return { sub: c.userId, client_id: c.clientId, scope: c.scopes.join(' '), resources: c.resources, updated_at: c.updatedAt };
}

async function owner(call: AdminCall): Promise<{ userId: string } | { clientId: string }> {
  const { sub, client_id } = call.params;
  if (sub !== undefined) {
    if (!(await call.deps.storage.users.getById(sub))) throw notFound('user');
    return { userId: sub };
  }
  if (!(await call.deps.storage.clients.get(client_id ?? ''))) throw notFound('client');
  return { clientId: client_id ?? '' };
}

const listGrants = async (call: AdminCall) => {
  const o = await owner(call);
  return paged(
    call.req,
    (q) => call.deps.storage.grants.list(o, call.now, q),
    (g) => g.id,
    grantJson,
  );
};

const listConsents = async (call: AdminCall) => {
  const o = await owner(call);
  return paged(
    call.req,
    (q) => call.deps.storage.consents.list(o, q),
    (c) => ('userId' in o ? c.clientId : c.userId),
    consentJson,
  );
};

export const grantRoutes: AdminRoute[] = [
  { method: 'GET', path: '/users/:sub/grants', write: false, handle: listGrants },
  { method: 'GET', path: '/clients/:client_id/grants', write: false, handle: listGrants },
  { method: 'GET', path: '/users/:sub/consents', write: false, handle: listConsents },
  { method: 'GET', path: '/clients/:client_id/consents', write: false, handle: listConsents },
  {
    method: 'GET',
    path: '/grants/:grant_id',
    write: false,
    async handle(call) {
      const g = await call.deps.storage.grants.get(call.params.grant_id ?? '');
      if (!g) throw notFound('grant');
      return reply(200, { ...grantJson(g), revoked: g.revokedAt !== null });
    },
  },
  {
    method: 'DELETE',
    path: '/grants/:grant_id',
    write: true,
    async handle(call) {
      const g = await call.deps.storage.grants.get(call.params.grant_id ?? '');
      if (!g) throw notFound('grant');
      const ended = await call.deps.storage.revokeAccess({ grantId: g.id }, call.now);
      return reply(200, { grants_revoked: ended.grants });
    },
  },
  {
    // Withdrawn consent, on the person's behalf: the client's grants from this person end and the
    // consent is forgotten, so the next request asks again.
    method: 'DELETE',
    path: '/users/:sub/consents/:client_id',
    write: true,
    async handle(call) {
      const { sub = '', client_id = '' } = call.params;
      if (!(await call.deps.storage.users.getById(sub))) throw notFound('user');
      const ended = await call.deps.storage.revokeAccess({ userId: sub, clientId: client_id }, call.now);
      return reply(200, { grants_revoked: ended.grants });
    },
  },
];
