// The `latchkey` command line: serve, migrate, clients, users, keys.

import { Command } from 'commander';
import { epochSeconds } from '../clock.ts';
import { resolveConfig } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import { redactDatabaseUrl } from '../storage/redact.ts';
import { clientsCommand } from './clients.ts';
import { action, configInput, type GlobalOptions, print, withCommonOptions, withStorage } from './common.ts';
import { keysCommand } from './keys.ts';
import { serveCommand } from './serve.ts';
import { usersCommand } from './users.ts';
import { packageVersion } from './version.ts';

const program = new Command('latchkey')
  .description('Latchkey: an OAuth 2.1 / OpenID Connect authorization server')
  .version(packageVersion(), '-V, --version', 'print the version of Latchkey')
  .configureOutput({ outputError: (str, write) => write(`latchkey: ${str.replace(/^error: /, '')}`) });

serveCommand(program);
withCommonOptions(
  program.command('migrate').description('create or update the database schema (creates a missing SQLite file)'),
  false,
).action(
  action(async (opts: GlobalOptions) => {
    const config = resolveConfig(...configInput(opts));
    const storage = await openStorage(config.db);
    await storage.close();
    process.stdout.write(`database ${redactDatabaseUrl(config.db)} is up to date\n`);
  }),
);
withCommonOptions(program.command('cleanup').description('delete expired codes, tokens, sessions, grants and keys now')).action(
  action(async (opts: GlobalOptions) => {
    await withStorage(opts, async (storage) => {
      const deleted = await storage.cleanup(epochSeconds());
      print(opts, { deleted }, `deleted ${deleted} expired rows`);
    });
  }),
);
clientsCommand(program);
usersCommand(program);
keysCommand(program);

await program.parseAsync(process.argv);
