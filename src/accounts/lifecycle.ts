// The life of an account after it is created: changing it, disabling, enabling, deleting, a new
// password. Used by the CLI; written against the stores only, so an admin HTTP API can reuse it.
import type { Storage, UserRecord } from '../storage/types.ts';
import { hashPassword } from './passwords.ts';
import { checkEmail, checkLabels, checkNewPassword } from './users.ts';

/** Which account: by username (compared as accounts/username.ts says) or by `sub`. */
export type UserRef = { username: string } | { sub: string };

/** What ending an account's access ended. */
export interface EndedAccess {
  sessions: number;
  grants: number;
}

export async function findUser(storage: Pick<Storage, 'users'>, ref: UserRef): Promise<UserRecord> {
  const user = 'sub' in ref ? await storage.users.getById(ref.sub) : await storage.users.getByUsername(ref.username);
  if (!user) throw new Error('sub' in ref ? `no user with sub ${ref.sub}` : `no user "${ref.username}"`);
  return user;
}

async function save(storage: Pick<Storage, 'users'>, user: UserRecord): Promise<UserRecord> {
  if (!(await storage.users.update(user))) throw new Error(`the user ${user.username} no longer exists`);
  return user;
}

/**
 * Ends everything the account holds at once: its login sessions (so `prompt=none` answers
 * `login_required`) and its grants (refresh tokens refused, access tokens inactive at introspection
 * and UserInfo).
 */
export function endUserAccess(storage: Pick<Storage, 'revokeAccess'>, userId: string, now: number): Promise<EndedAccess> {
  return storage.revokeAccess({ userId }, now);
}

/** Disables the account and ends its access; disabling a disabled account ends whatever is left. */
export async function disableUser(storage: Storage, ref: UserRef, now: number): Promise<{ user: UserRecord; ended: EndedAccess }> {
  const found = await findUser(storage, ref);
  // Disabled first: a sign-in that starts now is refused, so nothing new outlives the revocation.
  const user = found.disabledAt === null ? await save(storage, { ...found, disabledAt: now }) : found;
  return { user, ended: await endUserAccess(storage, user.id, now) };
}

export async function enableUser(storage: Storage, ref: UserRef): Promise<UserRecord> {
  const user = await findUser(storage, ref);
  return user.disabledAt === null ? user : save(storage, { ...user, disabledAt: null });
}

/**
 * Deletes the account (and its remembered consents), then ends its access: as with disabling, the
 * account changes first, so that a sign-in under way either sees the change or is ended after it.
 */
export async function deleteUser(storage: Storage, ref: UserRef, now: number): Promise<{ user: UserRecord; ended: EndedAccess }> {
  const user = await findUser(storage, ref);
  await storage.users.delete(user.id);
  return { user, ended: await endUserAccess(storage, user.id, now) };
}

/** Sets a new password and ends the account's sessions and grants: whoever had the old one is out. */
export async function setUserPassword(
  storage: Storage,
  ref: UserRef,
  password: string,
  now: number,
): Promise<{ user: UserRecord; ended: EndedAccess }> {
  checkNewPassword(password);
  const found = await findUser(storage, ref);
  const user = await save(storage, { ...found, passwordHash: await hashPassword(password) });
  return { user, ended: await endUserAccess(storage, user.id, now) };
}

export interface UserChanges {
  /** null removes it. */
  email?: string | null | undefined;
  name?: string | null | undefined;
  emailVerified?: boolean | undefined;
  /** A list given replaces the stored one. */
  roles?: string[] | undefined;
  groups?: string[] | undefined;
}

/** Changes the claims of an account. A new email address is unverified unless `emailVerified` says otherwise. */
export async function updateUser(storage: Storage, ref: UserRef, changes: UserChanges): Promise<UserRecord> {
  const user = await findUser(storage, ref);
  const next = { ...user };
  if (changes.email !== undefined) {
    if (changes.email !== null) checkEmail(changes.email);
    if (changes.email !== user.email) next.emailVerified = false;
    next.email = changes.email;
  }
  if (changes.name !== undefined) next.name = changes.name;
  if (changes.emailVerified !== undefined) {
    if (changes.emailVerified && next.email === null) throw new Error('--email-verified needs an email address');
    next.emailVerified = changes.emailVerified;
  }
  if (changes.roles !== undefined) {
    checkLabels('role', changes.roles);
    next.roles = [...new Set(changes.roles)];
  }
  if (changes.groups !== undefined) {
    checkLabels('group', changes.groups);
    next.groups = [...new Set(changes.groups)];
  }
  return save(storage, next);
}
