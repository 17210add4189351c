// Migration 0015: how the user authenticated for a grant (RFC 8176 `amr`, space-separated as in
// `codes`, and the `acr` satisfied), so that an ID token issued on a refresh describes the original
// authentication as the first one did (OIDC Core §12.2: the same event, `auth_time` unchanged).
// Grants written before this carry neither. Written once for both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('grants')
    .addColumn('amr', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('grants').addColumn('acr', 'text').execute();
}
