// An account as the CLI's --json output and the admin API show it (OIDC Core §5.1 claim names).

import type { UserRecord } from '../storage/types.ts';
import type { EndedAccess } from './lifecycle.ts';

export const userJson = (u: UserRecord) => ({
  sub: u.id,
  username: u.username,
  email: u.email,
  email_verified: u.emailVerified,
  name: u.name,
  roles: u.roles,
  groups: u.groups,
  created_at: u.createdAt,
  disabled: u.disabledAt !== null,
  ...(u.disabledAt !== null ? { disabled_at: u.disabledAt } : {}),
});

export const endedJson = (e: EndedAccess) => ({ sessions_ended: e.sessions, grants_revoked: e.grants });
