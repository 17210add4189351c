// Migration 0016: how the person who approved a device request authenticated (RFC 8176 `amr`,
// space-separated as in `codes`; '' until approved), so that the device's ID tokens carry it as a
// code's do (OIDC Core §2). Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('device_codes')
    .addColumn('amr', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
