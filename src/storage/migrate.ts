// Numbered migrations, applied at start-up (ARCHITECTURE.md rule 6).
import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-token-lifecycle.ts';
import * as m0003 from './migrations/0003-throttle.ts';
import * as m0004 from './migrations/0004-refresh-successor.ts';
import * as m0005 from './migrations/0005-account-lifecycle.ts';
import * as m0007 from './migrations/0007-signing-key-lineage.ts';
import * as m0008 from './migrations/0008-consent-resources.ts';
import * as m0009 from './migrations/0009-client-registrations.ts';
import * as m0010 from './migrations/0010-strong-sign-in.ts';
import * as m0011 from './migrations/0011-client-keys-par-dpop.ts';
import * as m0012 from './migrations/0012-admin.ts';
import * as m0013 from './migrations/0013-backchannel-logout.ts';
import * as m0014 from './migrations/0014-code-dpop-jkt.ts';
import * as m0015 from './migrations/0015-grant-authentication.ts';
import * as m0016 from './migrations/0016-device-authentication.ts';
import type { Database } from './schema.ts';

const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-token-lifecycle': m0002,
  '0003-throttle': m0003,
  '0004-refresh-successor': m0004,
  '0005-account-lifecycle': m0005,
  '0007-signing-key-lineage': m0007,
  '0008-consent-resources': m0008,
  '0009-client-registrations': m0009,
  '0010-strong-sign-in': m0010,
  '0011-client-keys-par-dpop': m0011,
  '0012-admin': m0012,
  '0013-backchannel-logout': m0013,
  '0014-code-dpop-jkt': m0014,
  '0015-grant-authentication': m0015,
  '0016-device-authentication': m0016,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Why the schema could not be brought up to date: `migration` (one migration failed), `newer` (the
 * database was migrated by a newer version) or `access` (the database could not be reached or read).
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
  readonly kind: 'migration' | 'newer' | 'access';
  constructor(kind: MigrationError['kind'], message: string, cause: unknown) {
    super(message, { cause });
    this.kind = kind;
  }
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider, migrationTableName: 'latchkey_migrations', migrationLockTableName: 'latchkey_migrations_lock' });
}

/** A readable reason, also for what has no message of its own (e.g. an AggregateError of one refused connection per address). */
function reason(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: unknown[] };
  if (e.message) return e.message;
  if (Array.isArray(e.errors) && e.errors.length > 0) return [...new Set(e.errors.map(reason))].join('; ');
  return e.code ?? String(error);
}

function check({ error, results }: MigrationResultSet): void {
  if (!error) return;
  const message = reason(error);
  const failed = results?.find((r) => r.status === 'Error');
  if (failed) throw new MigrationError('migration', `migration ${failed.migrationName} failed: ${message}`, error);
  const missing = /previously executed migration (\S+) is missing/.exec(message);
  if (missing) {
    throw new MigrationError(
      'newer',
      `the database schema is newer than this version of Latchkey (it has migration ${missing[1]}, unknown here): run a newer Latchkey`,
      error,
    );
  }
  throw new MigrationError('access', message, error);
}

/** Brings the schema up to date; throws a MigrationError that says what failed. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  check(await migrator(db).migrateToLatest());
}

/** Applies the migrations up to and including `name` only (for tests of a migration on older data). */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<void> {
  check(await migrator(db).migrateTo(name));
}
