// Numbered migrations, applied at start-up (ARCHITECTURE.md rule 6).
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-token-lifecycle.ts';
import * as m0003 from './migrations/0003-throttle.ts';
import * as m0004 from './migrations/0004-refresh-successor.ts';
import * as m0007 from './migrations/0007-signing-key-lineage.ts';
import * as m0008 from './migrations/0008-consent-resources.ts';
import type { Database } from './schema.ts';

const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-token-lifecycle': m0002,
  '0003-throttle': m0003,
  '0004-refresh-successor': m0004,
  '0007-signing-key-lineage': m0007,
  '0008-consent-resources': m0008,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'latchkey_migrations',
    migrationLockTableName: 'latchkey_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? String(error)}`);
  }
}
