// Admin API: users (OIDC Core §5.1 claim names). The same lifecycle functions as `latchkey users`.
import { endedJson, userJson } from '../accounts/json.ts';
import { deleteUser, disableUser, enableUser, setUserPassword, type UserChanges, updateUser } from '../accounts/lifecycle.ts';
import { createUser } from '../accounts/users.ts';
import { Fields } from '../clients/json.ts';
import { OAuthError } from '../errors.ts';
import type { UserRecord } from '../storage/types.ts';
import { ADMIN_PATH } from './auth.ts';
import { checked, checkIfMatch, notFound, paged, readJson, reply } from './http.ts';
import type { AdminCall, AdminRoute } from './types.ts';

async function load(call: AdminCall): Promise<UserRecord> {
  const user = await call.deps.storage.users.getById(call.params.sub ?? '');
  if (!user) throw notFound('user');
  return user;
}

const CHANGEABLE = ['email', 'email_verified', 'name', 'roles', 'groups'] as const;

function changesOf(f: Fields): UserChanges {
  return {
    email: f.nullableString('email', 320),
    emailVerified: f.boolean('email_verified'),
    name: f.nullableString('name', 200),
    roles: f.strings('roles'),
    groups: f.strings('groups'),
  };
}

export const userRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/users',
    write: false,
    handle({ req, deps }) {
      const search = req.query.get('search') ?? undefined;
      if (search !== undefined && search.length > 100) throw new OAuthError('invalid_request', 'search is longer than 100 characters');
      return paged(
        req,
        (q) => deps.storage.users.page({ ...q, search }),
        (u) => u.id,
        userJson,
      );
    },
  },
  {
    method: 'POST',
    path: '/users',
    write: true,
    async handle({ req, deps, now }) {
      const f = await checked(async () => new Fields(readJson(req), ['username', 'password', ...CHANGEABLE]));
      const input = await checked(async () => {
        const username = f.string('username', 64);
        const password = f.string('password', 1024);
        if (username === undefined || password === undefined) throw new Error('"username" and "password" are required');
        const c = changesOf(f);
        if (c.emailVerified && !c.email) throw new Error('"email_verified" needs an email address');
        return {
          username,
          password,
          email: c.email ?? undefined,
          emailVerified: c.emailVerified,
          name: c.name ?? undefined,
          roles: c.roles,
          groups: c.groups,
        };
      });
      if (await deps.storage.users.getByUsername(input.username.trim())) throw new OAuthError('conflict', 'that username is taken');
      const user = await checked(() => createUser(deps.storage.users, input, now));
      return reply(201, userJson(user), { location: `${deps.config.issuer}${ADMIN_PATH}/users/${user.id}` });
    },
  },
  {
    method: 'GET',
    path: '/users/:sub',
    write: false,
    handle: async (call) => reply(200, userJson(await load(call)), { etag: true }),
  },
  {
    method: 'PATCH',
    path: '/users/:sub',
    write: true,
    async handle(call) {
      const current = await load(call);
      checkIfMatch(call.req, userJson(current));
      const changes = await checked(async () => changesOf(new Fields(readJson(call.req), CHANGEABLE)));
      const user = await checked(() => updateUser(call.deps.storage, { sub: current.id }, changes));
      return reply(200, userJson(user), { etag: true });
    },
  },
  {
    method: 'POST',
    path: '/users/:sub/disable',
    write: true,
    async handle(call) {
      const { user, ended } = await disableUser(call.deps.storage, { sub: (await load(call)).id }, call.now);
      return reply(200, { ...userJson(user), ...endedJson(ended) });
    },
  },
  {
    method: 'POST',
    path: '/users/:sub/enable',
    write: true,
    handle: async (call) => reply(200, userJson(await enableUser(call.deps.storage, { sub: (await load(call)).id }))),
  },
  {
    method: 'PUT',
    path: '/users/:sub/password',
    write: true,
    async handle(call) {
      const current = await load(call);
      const password = await checked(async () => {
        const p = new Fields(readJson(call.req), ['password']).string('password', 1024);
        if (p === undefined) throw new Error('"password" is required');
        return p;
      });
      const { user, ended } = await checked(() => setUserPassword(call.deps.storage, { sub: current.id }, password, call.now));
      return reply(200, { ...userJson(user), ...endedJson(ended) });
    },
  },
  {
    method: 'DELETE',
    path: '/users/:sub',
    write: true,
    async handle(call) {
      const { user, ended } = await deleteUser(call.deps.storage, { sub: (await load(call)).id }, call.now);
      return reply(200, { sub: user.id, deleted: true, ...endedJson(ended) });
    },
  },
];
