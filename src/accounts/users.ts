// Accounts of people: creation and password sign-in (OIDC Core §5.1 standard claims name, email).
import { randomUUID } from 'node:crypto';
import type { UserRecord, UserStore } from '../storage/types.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './passwords.ts';

export interface NewUser {
  username: string;
  password: string;
  email?: string | undefined;
  name?: string | undefined;
}

export async function createUser(store: UserStore, input: NewUser, now: number): Promise<UserRecord> {
  const username = input.username.trim();
  if (!/^[\p{L}\p{N}._@+-]{1,64}$/u.test(username)) {
    throw new Error('a username is 1 to 64 letters, digits or . _ @ + -');
  }
  if (input.password.length < 8) throw new Error('a password needs at least 8 characters');
  if (input.password.length > 1024) throw new Error('a password may have at most 1024 characters');
  if (input.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw new Error(`"${input.email}" is not an email address`);
  if (await store.getByUsername(username)) throw new Error(`the username "${username}" is taken`);
  const user: UserRecord = {
    id: randomUUID(),
    username,
    passwordHash: await hashPassword(input.password),
    email: input.email ?? null,
    emailVerified: false,
    name: input.name ?? null,
    createdAt: now,
  };
  await store.create(user);
  return user;
}

/** The user when the password is right; undefined otherwise, in the same time whether or not the user exists. */
export async function checkPassword(store: UserStore, username: string, password: string): Promise<UserRecord | undefined> {
  if (password.length > 1024) return undefined;
  const user = await store.getByUsername(username.trim());
  if (!user) return verifyAgainstDummy(password).then(() => undefined);
  return (await verifyPassword(user.passwordHash, password)) ? user : undefined;
}
