// `latchkey users create | list`: people who sign in; passwords hashed with argon2id.
import type { Command } from 'commander';
import { createUser } from '../accounts/users.ts';
import type { UserRecord } from '../storage/types.ts';
import { action, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

interface CreateOptions extends GlobalOptions {
  username: string;
  email?: string;
  name?: string;
  passwordStdin?: boolean;
}

const userJson = (u: UserRecord) => ({ sub: u.id, username: u.username, email: u.email, name: u.name, created_at: u.createdAt });

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

export function usersCommand(program: Command): void {
  const users = program.command('users').description('create and list the people who sign in');
  withCommonOptions(
    users
      .command('create')
      .description('create a user; the password is read from stdin (--password-stdin) or asked for')
      .requiredOption('--username <username>', 'the sign-in name')
      .option('--email <email>', 'email address (scope email)')
      .option('--name <name>', 'full name (scope profile)')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(
    action(async (opts: CreateOptions) => {
      const password = opts.passwordStdin ? await readStdin() : await prompt('Password: ');
      await withStorage(opts, async (storage) => {
        const user = await createUser(storage.users, { username: opts.username, password, email: opts.email, name: opts.name }, now());
        print(opts, userJson(user), `created user ${user.username} (sub ${user.id})`);
      });
    }),
  );
  withCommonOptions(users.command('list').description('list users')).action(
    action(async (opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const list = await storage.users.list();
        const text = list.length ? list.map((u) => `${u.id}  ${u.username}  ${u.email ?? ''}`).join('\n') : 'no users';
        print(opts, list.map(userJson), text);
      });
    }),
  );
}
