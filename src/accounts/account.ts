// The accounts interface (ServerOptions.accounts): where the server finds the person behind a `sub`
// and checks a username and password. The built-in users table is its default implementation, so
// that an application may keep its own users table instead.

import type { UserStore } from '../storage/types.ts';
import { hashToken } from '../tokens/opaque.ts';
import { checkPassword } from './users.ts';

/**
 * A person as the server needs them: the `sub`, what the pages show, and the claims it may release
 * (OIDC Core §5.1: `name` with the profile scope, `email` and `email_verified` with the email scope).
 *
 * @example
 * ```ts
 * import type { Account } from 'latchkey';
 *
 * const ada: Account = { id: '42', username: 'ada', name: 'Ada Lovelace', email: 'ada@example.com', emailVerified: true, roles: ['admin'] };
 * ```
 */
export interface Account {
  /** The `sub`: stable, never reassigned. */
  id: string;
  /** `preferred_username`, and the name the consent page shows when there is no `name`. */
  username: string;
  name?: string | null;
  email?: string | null;
  emailVerified?: boolean;
  /** Emitted under `claims.roles.claim` when `claims.roles.scope` is granted. */
  roles?: readonly string[];
  /** Emitted under `claims.groups.claim` when `claims.groups.scope` is granted. */
  groups?: readonly string[];
  /** A disabled account cannot sign in, and its tokens are refused at UserInfo. */
  disabled?: boolean;
  /**
   * An opaque version of the account's credentials, changing whenever the password does (optional).
   * After writing a session the server reads the account again: a different value means the
   * password was changed while this sign-in was under way, and the session is not kept.
   */
  credentials?: string;
}

/**
 * What `createAuthorizationServer(config, { accounts })` takes to use your own users table.
 *
 * @example
 * ```ts
 * import type { Accounts } from 'latchkey';
 *
 * const accounts: Accounts = {
 *   async findAccount(id) { return id === '42' ? { id, username: 'ada' } : undefined; },
 *   async verifyPassword(username, password) { return undefined; },
 * };
 * ```
 */
export interface Accounts {
  /** The account with this `sub`, or undefined when there is none (any more). */
  findAccount(id: string): Promise<Account | undefined>;
  /**
   * The account when the password is right, undefined otherwise (the server counts failures and slows
   * guessing down). A disabled account may be returned: the person is then told it is disabled. Take
   * the same time whether or not the username exists.
   */
  verifyPassword(username: string, password: string): Promise<Account | undefined>;
}

/** The built-in users table (argon2id passwords) as {@link Accounts}. */
export function builtInAccounts(users: UserStore): Accounts {
  const toAccount = (u: NonNullable<Awaited<ReturnType<UserStore['getById']>>>): Account => ({
    id: u.id,
    username: u.username,
    name: u.name,
    email: u.email,
    emailVerified: u.emailVerified,
    roles: u.roles,
    groups: u.groups,
    disabled: u.disabledAt !== null,
    // A digest of the password hash: changes with the password, and reveals nothing of it.
    credentials: hashToken(u.passwordHash),
  });
  return {
    async findAccount(id) {
      const u = await users.getById(id);
      return u && toAccount(u);
    },
    async verifyPassword(username, password) {
      const u = await checkPassword(users, username, password);
      return u && toAccount(u);
    },
  };
}
