// Admin API: clients (RFC 7591 §2 field names). The same lifecycle functions as `latchkey clients`.
import { clientChangesFromJson, clientJson, newClientFromJson } from '../clients/json.ts';
import { deleteClient, disableClient, enableClient, endClientAccess, rotateClientSecret, updateClient } from '../clients/lifecycle.ts';
import { buildClient } from '../clients/register.ts';
import { OAuthError } from '../errors.ts';
import type { ClientRecord } from '../storage/types.ts';
import { ADMIN_PATH } from './auth.ts';
import { checked, checkIfMatch, notFound, paged, readJson, reply } from './http.ts';
import type { AdminCall, AdminRoute } from './types.ts';

async function load(call: AdminCall): Promise<ClientRecord> {
  const client = await call.deps.storage.clients.get(call.params.client_id ?? '');
  if (!client) throw notFound('client');
  return client;
}

export const clientRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/clients',
    write: false,
    handle: ({ req, deps }) =>
      paged(
        req,
        (q) => deps.storage.clients.page(q),
        (c) => c.clientId,
        (c) => clientJson(c),
      ),
  },
  {
    method: 'POST',
    path: '/clients',
    write: true,
    async handle({ req, deps, now }) {
      const body = readJson(req);
      const { record, secret } = await checked(async () => buildClient(newClientFromJson(body), deps.config.supportedScopes, now));
      if (await deps.storage.clients.get(record.clientId)) throw new OAuthError('conflict', 'that client_id is taken');
      await deps.storage.clients.create(record);
      // RFC 7591 §3.2.1: 201 Created with the client information; the secret is shown this once.
      return reply(201, clientJson(record, secret), {
        location: `${deps.config.issuer}${ADMIN_PATH}/clients/${encodeURIComponent(record.clientId)}`,
      });
    },
  },
  {
    method: 'GET',
    path: '/clients/:client_id',
    write: false,
    handle: async (call) => reply(200, clientJson(await load(call)), { etag: true }),
  },
  {
    method: 'PATCH',
    path: '/clients/:client_id',
    write: true,
    async handle(call) {
      const current = await load(call);
      checkIfMatch(call.req, clientJson(current));
      const changes = await checked(async () => clientChangesFromJson(readJson(call.req)));
      const client = await checked(() => updateClient(call.deps.storage, current.clientId, changes, call.deps.config.supportedScopes));
      return reply(200, clientJson(client), { etag: true });
    },
  },
  {
    method: 'POST',
    path: '/clients/:client_id/disable',
    write: true,
    async handle(call) {
      const { client, ended } = await disableClient(call.deps.storage, (await load(call)).clientId, call.now);
      return reply(200, { ...clientJson(client), grants_revoked: ended.grants });
    },
  },
  {
    method: 'POST',
    path: '/clients/:client_id/enable',
    write: true,
    handle: async (call) => reply(200, clientJson(await enableClient(call.deps.storage, (await load(call)).clientId))),
  },
  {
    method: 'POST',
    path: '/clients/:client_id/secret',
    write: true,
    async handle(call) {
      const current = await load(call);
      const { client, secret } = await checked(() => rotateClientSecret(call.deps.storage, current.clientId));
      return reply(200, clientJson(client, secret));
    },
  },
  {
    method: 'DELETE',
    path: '/clients/:client_id',
    write: true,
    async handle(call) {
      const { client, ended } = await deleteClient(call.deps.storage, (await load(call)).clientId, call.now);
      return reply(200, { client_id: client.clientId, deleted: true, grants_revoked: ended.grants });
    },
  },
  {
    method: 'DELETE',
    path: '/clients/:client_id/grants',
    write: true,
    async handle(call) {
      const ended = await endClientAccess(call.deps.storage, (await load(call)).clientId, call.now);
      return reply(200, { grants_revoked: ended.grants });
    },
  },
];
