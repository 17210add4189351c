// `latchkey users create | list | update | disable | enable | delete | set-password`: people who sign
// in; passwords hashed with argon2id.
import type { Command } from 'commander';
import { endedJson, userJson } from '../accounts/json.ts';
import {
  deleteUser,
  disableUser,
  type EndedAccess,
  enableUser,
  findUser,
  setUserPassword,
  type UserRef,
  updateUser,
} from '../accounts/lifecycle.ts';
import { createUser } from '../accounts/users.ts';
import type { FactorSummary } from '../storage/factor-types.ts';
import { action, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

interface CreateOptions extends GlobalOptions {
  role?: string[];
  group?: string[];
  username: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  passwordStdin?: boolean;
}

interface RefOptions extends GlobalOptions {
  sub?: string;
}

interface UpdateOptions extends RefOptions {
  email?: string;
  emailVerified?: boolean;
  name?: string;
  role?: string[];
  group?: string[];
  /** false with --no-roles */
  roles?: boolean;
  groups?: boolean;
}

const factorsJson = (f: FactorSummary) => ({ totp: f.totp, passkeys: f.passkeys, recovery_codes: f.recoveryCodes });
function factorsText(f: FactorSummary): string {
  const parts = [
    ...(f.totp ? ['authenticator app'] : []),
    ...(f.passkeys ? [`${f.passkeys} passkey${f.passkeys === 1 ? '' : 's'}`] : []),
    ...(f.recoveryCodes ? [`${f.recoveryCodes} recovery code${f.recoveryCodes === 1 ? '' : 's'}`] : []),
  ];
  return parts.length ? parts.join(', ') : 'password only';
}
const endedText = (e: EndedAccess) =>
  `${e.sessions} session${e.sessions === 1 ? '' : 's'} ended, ${e.grants} grant${e.grants === 1 ? '' : 's'} revoked`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  // One trailing newline is the line end, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function prompt(question: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) throw new Error('no terminal to ask for the password: pipe it with --password-stdin');
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return value;
        if (ch === '\u0003') throw new Error('cancelled');
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    }
    return value;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}

/** The user a command names: its username argument, or --sub; exactly one. */
function userRef(username: string | undefined, opts: RefOptions): UserRef {
  if (username !== undefined && opts.sub !== undefined) throw new Error('name the user by username or by --sub, not both');
  if (opts.sub !== undefined) return { sub: opts.sub };
  if (username === undefined) throw new Error('name the user: a username, or --sub ID');
  return { username };
}

/** A command on one existing user: `latchkey users NAME [username] [--sub ID]`. */
function onUser(users: Command, name: string, description: string): Command {
  return withCommonOptions(
    users
      .command(name)
      .description(description)
      .argument('[username]', 'the username (letter case and Unicode compatibility forms are ignored)')
      .option('--sub <id>', 'name the user by its sub (id) instead'),
  );
}

export function usersCommand(program: Command): void {
  const users = program.command('users').description('create, change, disable and delete the people who sign in');
  withCommonOptions(
    users
      .command('create')
      .description('create a user; the password is read from stdin (--password-stdin) or asked for')
      .requiredOption('--username <username>', 'the sign-in name; unique without regard to letter case')
      .option('--email <email>', 'email address (scope email)')
      .option('--email-verified', "the email address is known to be the person's (claim email_verified; default false)")
      .option('--name <name>', 'full name (scope profile)')
      .option('--role <role>', 'a role (repeat for more), emitted as configured in claims.roles', repeat)
      .option('--group <group>', 'a group (repeat for more), emitted as configured in claims.groups', repeat)
      .option('--password-stdin', 'read the password from standard input'),
  ).action(
    action(async (opts: CreateOptions) => {
      if (opts.emailVerified && opts.email === undefined) throw new Error('--email-verified needs --email');
      const password = opts.passwordStdin ? await readStdin() : await prompt('Password: ');
      await withStorage(
        opts,
        async (storage) => {
          const user = await createUser(
            storage.users,
            {
              username: opts.username,
              password,
              email: opts.email,
              emailVerified: opts.emailVerified,
              name: opts.name,
              roles: opts.role,
              groups: opts.group,
            },
            now(),
          );
          print(opts, userJson(user), `created user ${user.username} (sub ${user.id})`);
        },
        { create: true },
      );
    }),
  );
  withCommonOptions(users.command('list').description('list users')).action(
    action(async (opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const list = await storage.users.list();
        const factors = await Promise.all(list.map((u) => storage.factors.summary(u.id)));
        const text = list.length
          ? list
              .map(
                (u, i) =>
                  `${u.id}  ${u.username}  ${u.email ?? ''}  ${factorsText(factors[i] as FactorSummary)}${u.disabledAt !== null ? '  (disabled)' : ''}`,
              )
              .join('\n')
          : 'no users';
        print(
          opts,
          list.map((u, i) => ({ ...userJson(u), factors: factorsJson(factors[i] as FactorSummary) })),
          text,
        );
      });
    }),
  );
  onUser(
    users,
    'update',
    "change a user's email address, its verified flag, or name (a new email address is unverified unless --email-verified)",
  )
    .option('--email <email>', 'new email address')
    .option('--email-verified', 'mark the email address verified (claim email_verified)')
    .option('--no-email-verified', 'mark the email address not verified')
    .option('--name <name>', 'new full name')
    .option('--role <role>', 'a role (repeat for more); replaces the roles', repeat)
    .option('--group <group>', 'a group (repeat for more); replaces the groups', repeat)
    .option('--no-roles', 'remove every role')
    .option('--no-groups', 'remove every group')
    .action(
      action(async (username: string | undefined, opts: UpdateOptions) => {
        const ref = userRef(username, opts);
        const roles = opts.roles === false ? [] : opts.role;
        const groups = opts.groups === false ? [] : opts.group;
        if (opts.email === undefined && opts.emailVerified === undefined && opts.name === undefined && !roles && !groups) {
          throw new Error(
            'nothing to change: give --email, --email-verified, --no-email-verified, --name, --role, --group, --no-roles or --no-groups',
          );
        }
        await withStorage(opts, async (storage) => {
          const user = await updateUser(storage, ref, {
            email: opts.email,
            emailVerified: opts.emailVerified,
            name: opts.name,
            roles,
            groups,
          });
          print(opts, userJson(user), `updated user ${user.username}`);
        });
      }),
    );
  onUser(users, 'disable', 'disable a user: ends its sessions and revokes its grants at once; it cannot sign in until enabled').action(
    action(async (username: string | undefined, opts: RefOptions) => {
      const ref = userRef(username, opts);
      await withStorage(opts, async (storage) => {
        const { user, ended } = await disableUser(storage, ref, now());
        print(opts, { ...userJson(user), ...endedJson(ended) }, `disabled user ${user.username}: ${endedText(ended)}`);
      });
    }),
  );
  onUser(users, 'enable', 'enable a disabled user: it can sign in again').action(
    action(async (username: string | undefined, opts: RefOptions) => {
      const ref = userRef(username, opts);
      await withStorage(opts, async (storage) => {
        const user = await enableUser(storage, ref);
        print(opts, userJson(user), `enabled user ${user.username}`);
      });
    }),
  );
  onUser(users, 'delete', 'delete a user: ends its sessions, revokes its grants and forgets its consents').action(
    action(async (username: string | undefined, opts: RefOptions) => {
      const ref = userRef(username, opts);
      await withStorage(opts, async (storage) => {
        const { user, ended } = await deleteUser(storage, ref, now());
        print(opts, { ...userJson(user), deleted: true, ...endedJson(ended) }, `deleted user ${user.username}: ${endedText(ended)}`);
      });
    }),
  );
  onUser(users, 'reset-mfa', "remove a user's second factors (authenticator app, recovery codes, passkeys) and end its sessions")
    .option('--username <username>', 'the username (instead of the argument)')
    .action(
      action(async (username: string | undefined, opts: RefOptions & { username?: string }) => {
        if (username !== undefined && opts.username !== undefined) throw new Error('give the username once: as the argument or --username');
        const ref = userRef(username ?? opts.username, opts);
        await withStorage(opts, async (storage) => {
          const user = await findUser(storage, ref);
          const before = await storage.factors.summary(user.id);
          await storage.factors.removeAll(user.id);
          const sessions = await storage.sessions.deleteOthers(user.id, '');
          print(
            opts,
            { ...userJson(user), factors_removed: factorsJson(before), sessions_ended: sessions },
            `removed the second factors of ${user.username} (${factorsText(before)}): ${sessions} session${sessions === 1 ? '' : 's'} ended`,
          );
        });
      }),
    );
  onUser(users, 'set-password', "set a new password (from stdin or asked for); ends the user's sessions and revokes its grants")
    .option('--password-stdin', 'read the password from standard input')
    .action(
      action(async (username: string | undefined, opts: RefOptions & { passwordStdin?: boolean }) => {
        const ref = userRef(username, opts);
        const password = opts.passwordStdin ? await readStdin() : await prompt('New password: ');
        await withStorage(opts, async (storage) => {
          const { user, ended } = await setUserPassword(storage, ref, password, now());
          print(opts, { ...userJson(user), ...endedJson(ended) }, `new password for ${user.username}: ${endedText(ended)}`);
        });
      }),
    );
}
