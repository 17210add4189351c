// Accounts of people: creation and password sign-in (OIDC Core §5.1 standard claims name, email).
import { randomUUID } from 'node:crypto';
import type { UserRecord, UserStore } from '../storage/types.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';

export interface NewUser {
  username: string;
  password: string;
  email?: string | undefined;
  /** OIDC Core §5.1 `email_verified`: whether the operator checked that the address is the person's. */
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  /** Roles and groups emitted as claims when configured (`claims.roles`, `claims.groups`). */
  roles?: string[] | undefined;
  groups?: string[] | undefined;
}

/** Throws a one-line reason when a list of roles or groups cannot be kept. */
export function checkLabels(kind: 'role' | 'group', values: readonly string[]): void {
  if (values.length > 100) throw new Error(`at most 100 ${kind}s`);
  for (const v of values)
    if (!/^[\x21-\x7e]{1,100}$/.test(v)) throw new Error(`a ${kind} is 1 to 100 printable ASCII characters without spaces`);
}

/** Throws a one-line reason when the password cannot be used. */
export function checkNewPassword(password: string): void {
  if (password.length < 8) throw new Error('a password needs at least 8 characters');
  if (password.length > 1024) throw new Error('a password may have at most 1024 characters');
}

/** Throws a one-line reason when the email address is not one. */
export function checkEmail(email: string): void {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error(`"${email}" is not an email address`);
}

export async function createUser(store: UserStore, input: NewUser, now: number): Promise<UserRecord> {
  const username = input.username.trim();
  if (!/^[\p{L}\p{N}._@+-]{1,64}$/u.test(username)) {
    throw new Error('a username is 1 to 64 letters, digits or . _ @ + -');
  }
  checkNewPassword(input.password);
  if (input.email !== undefined) checkEmail(input.email);
  checkLabels('role', input.roles ?? []);
  checkLabels('group', input.groups ?? []);
  // Unique without regard to case and Unicode forms (accounts/username.ts): "Alice" is "alice".
  const existing = await store.getByUsername(username);
  if (existing) throw new Error(`the username "${username}" is taken (by "${existing.username}")`);
  const user: UserRecord = {
    id: randomUUID(),
    username,
    passwordHash: await hashPassword(input.password),
    email: input.email ?? null,
    emailVerified: input.emailVerified ?? false,
    name: input.name ?? null,
    createdAt: now,
    disabledAt: null,
    roles: [...new Set(input.roles ?? [])],
    groups: [...new Set(input.groups ?? [])],
  };
  await store.create(user);
  return user;
}

/**
 * The user when the password is right, undefined otherwise, in the same time whether or not the user
 * exists. A disabled account is returned too (its `disabledAt` set): only someone who knows the
 * password learns that it is disabled.
 */
export async function checkPassword(store: UserStore, username: string, password: string): Promise<UserRecord | undefined> {
  if (password.length > 1024) return undefined;
  const user = await store.getByUsername(username.trim());
  if (!user) return verifyAgainstDummy(password).then(() => undefined);
  return (await verifyPassword(user.passwordHash, password)) ? user : undefined;
}
