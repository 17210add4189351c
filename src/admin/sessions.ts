// Admin API: a person's login sessions. Ending them all signs the person out everywhere: their grants
// are revoked with them (refresh refused, access tokens inactive, prompt=none answers login_required).
import { endedJson } from '../accounts/json.ts';
import { endUserAccess } from '../accounts/lifecycle.ts';
import { notFound, reply } from './http.ts';
import type { AdminCall, AdminRoute } from './types.ts';

async function userId(call: AdminCall): Promise<string> {
  const user = await call.deps.storage.users.getById(call.params.sub ?? '');
  if (!user) throw notFound('user');
  return user.id;
}

export const sessionRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/users/:sub/sessions',
    write: false,
    async handle(call) {
      const sessions = await call.deps.storage.sessions.listForUser(await userId(call), call.now);
      // The session id shown is the stored hash: it names the session, and cannot be used as a cookie.
      const items = sessions.map((s) => ({ session_id: s.idHash, auth_time: s.authTime, expires_at: s.expiresAt }));
      return reply(200, { items, next_cursor: null });
    },
  },
  {
    method: 'DELETE',
    path: '/users/:sub/sessions',
    write: true,
    async handle(call) {
      return reply(200, endedJson(await endUserAccess(call.deps.storage, await userId(call), call.now)));
    },
  },
  {
    method: 'DELETE',
    path: '/users/:sub/sessions/:session_id',
    write: true,
    async handle(call) {
      const id = await userId(call);
      const sessions = await call.deps.storage.sessions.listForUser(id, call.now);
      const session = sessions.find((s) => s.idHash === call.params.session_id);
      if (!session) throw notFound('session');
      await call.deps.storage.sessions.delete(session.idHash);
      return reply(200, { sessions_ended: 1 });
    },
  },
];
