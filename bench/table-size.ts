// --table-size: refresh_token and introspection CPU per op with 10^5 and 10^6 rows of refresh tokens
// and grants already in the tables, against the small table of a fresh server. Flat (≈ 1.0×) means
// the indexes hold the cost.
import { randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { measure } from './measure.ts';
import { failedRow, measured, ms, type Row, x } from './report.ts';
import { loadFor } from './scenarios.ts';
import type { SectionContext } from './sections.ts';
import { latchkeySystem } from './systems/latchkey.ts';
import { CLIENT_ID, SCOPE, type ScenarioId, type SystemSpec } from './systems/types.ts';

const SIZES = [0, 100_000, 1_000_000];
const SCENARIOS: readonly ScenarioId[] = ['refresh_token', 'introspection'];
const DAY = 24 * 3600;

/**
 * `n` grants and `n` refresh tokens shaped like Latchkey's (src/storage/migrations/0001, 0002, 0004,
 * 0011): random ids and hashes, the bench client, the seeded users, live and unexpired; every other
 * refresh token consumed, as rotation leaves them. To be quick, the secondary indexes are dropped
 * and made again afterwards from their own definitions, and SQLite gets its rows in key order.
 */
export async function fill(db: string, n: number, users: number): Promise<void> {
  if (n === 0) return;
  const now = Math.floor(Date.now() / 1000);
  if (db.startsWith('sqlite:')) fillSqlite(db.slice('sqlite:'.length), n, users, now);
  else await fillPostgres(db, n, users, now);
}

/** A stride coprime with 10^k: token i belongs to grant (i × STRIDE) mod n, one token per grant, scattered. */
const STRIDE = 7919;

function fillSqlite(path: string, n: number, users: number, now: number): void {
  const conn = new Sqlite(path);
  try {
    conn.pragma('cache_size = -262144');
    const indexes = conn
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('grants', 'refresh_tokens') AND sql IS NOT NULL")
      .all() as { name: string; sql: string }[];
    const grantIds = Array.from({ length: n }, () => randomBytes(16).toString('base64url')).sort();
    const hashes = Array.from({ length: n }, () => randomBytes(32).toString('base64url')).sort();
    const grant = conn.prepare(
      'INSERT INTO grants (id, client_id, user_id, scope, auth_time, created_at, expires_at, revoked_at, resources) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)',
    );
    const token = conn.prepare(
      'INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, auth_time, created_at, expires_at, consumed_at, replaced_by, successor, dpop_jkt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)',
    );
    conn.transaction(() => {
      for (const { name } of indexes) conn.exec(`DROP INDEX "${name}"`);
      for (let i = 0; i < n; i++) {
        const at = now - (i % DAY);
        grant.run(grantIds[i], CLIENT_ID, `bench-user-${i % users}`, SCOPE, at, at, at + 30 * DAY, '[]');
      }
      for (let i = 0; i < n; i++) {
        const g = (i * STRIDE) % n;
        const at = now - (g % DAY);
        const user = `bench-user-${g % users}`;
        token.run(hashes[i], grantIds[g], CLIENT_ID, user, SCOPE, at, at, at + 30 * DAY, i % 2 ? at + 60 : null);
      }
      for (const { sql } of indexes) conn.exec(sql);
    })();
    conn.exec('ANALYZE');
  } finally {
    conn.close();
  }
}

async function fillPostgres(db: string, n: number, users: number, now: number): Promise<void> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    // Ids and hashes: base64url of SHA-256 over a per-run salt and the row number.
    const b64 = (bytes: string) => `rtrim(translate(encode(${bytes}, 'base64'), '+/', '-_'), '=')`;
    const salt = randomBytes(16).toString('hex');
    const grantId = (i: string) => b64(`substring(sha256(('${salt}g' || ${i})::bytea) from 1 for 16)`);
    const g = `((i * ${STRIDE}) % $5::bigint)`;
    await client.query('BEGIN');
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = current_schema() AND i.tablename IN ('grants', 'refresh_tokens')
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const { indexname } of indexes) await client.query(`DROP INDEX "${indexname}"`);
    await client.query(
      `INSERT INTO grants (id, client_id, user_id, scope, auth_time, created_at, expires_at, revoked_at, resources)
       SELECT ${grantId('i')}, $1, 'bench-user-' || (i % $2), $3, $4 - (i % ${DAY}), $4 - (i % ${DAY}), $4 + ${30 * DAY}, NULL, '[]'
       FROM generate_series(0::bigint, $5::bigint - 1) AS i`,
      [CLIENT_ID, users, SCOPE, now, n],
    );
    await client.query(
      `INSERT INTO refresh_tokens (token_hash, grant_id, client_id, user_id, scope, auth_time, created_at, expires_at, consumed_at, replaced_by, successor, dpop_jkt)
       SELECT ${b64(`sha256(('${salt}t' || i)::bytea)`)}, ${grantId(g)}, $1, 'bench-user-' || (${g} % $2), $3,
              $4 - (${g} % ${DAY}), $4 - (${g} % ${DAY}), $4 + ${30 * DAY}, CASE WHEN i % 2 = 1 THEN $4 - (${g} % ${DAY}) + 60 END, NULL, NULL, NULL
       FROM generate_series(0::bigint, $5::bigint - 1) AS i`,
      [CLIENT_ID, users, SCOPE, now, n],
    );
    for (const { indexdef } of indexes) await client.query(indexdef);
    await client.query('COMMIT');
    await client.query('ANALYZE grants');
    await client.query('ANALYZE refresh_tokens');
  } finally {
    await client.end();
  }
}

export async function runTableSize(ctx: SectionContext): Promise<string[]> {
  const rows: { system: SystemSpec; size: number; row: Row }[] = [];
  const notes: string[] = [];
  for (const system of [latchkeySystem({ engine: 'sqlite', workers: 1 }), latchkeySystem({ engine: 'postgres', workers: 1 })]) {
    const reason = await system.unavailable();
    if (reason) {
      notes.push(`${system.label}: not measured, ${reason}.`);
      continue;
    }
    for (const size of SIZES) {
      ctx.log(`bench: table size: ${system.label} with ${size} rows`);
      const started = Date.now();
      let sut: Awaited<ReturnType<SystemSpec['start']>>;
      try {
        sut = await system.start({ ...ctx.options, profileDir: undefined, prefill: (db) => fill(db, size, ctx.options.users) });
      } catch (e) {
        notes.push(`${system.label} with ${size} rows: did not start (${(e as Error).message.split('\n')[0]}).`);
        ctx.failures.push(`${system.id} with ${size} rows`);
        continue;
      }
      ctx.log(`bench: table size: filled and started in ${Math.round((Date.now() - started) / 1000)} s`);
      try {
        for (const scenario of SCENARIOS) {
          try {
            const spec = await loadFor(scenario, sut, ctx.options);
            rows.push({ system, size, row: await measure(scenario, system, sut, [spec], { warmup: ctx.warmup, seconds: ctx.seconds }) });
          } catch (e) {
            rows.push({ system, size, row: failedRow(scenario, system, e) });
            ctx.failures.push(`${system.id} ${scenario}`);
          }
        }
      } finally {
        await sut.stop();
      }
    }
  }
  const out = [
    `| System | Rows of grants and of refresh tokens | ${SCENARIOS.map((s) => `${s}: CPU ms per op, × small table`).join(' | ')} |`,
    `|---|--:|${SCENARIOS.map(() => '--:').join('|')}|`,
  ];
  for (const { system, size } of rows.filter((r, i, all) => all.findIndex((o) => o.system === r.system && o.size === r.size) === i)) {
    const cells = SCENARIOS.map((scenario) => {
      const row = rows.find((r) => r.system === system && r.size === size && r.row.scenario === scenario)?.row;
      const small = rows.find((r) => r.system === system && r.size === 0 && r.row.scenario === scenario)?.row;
      if (!measured(row)) return row?.note ?? 'not measured';
      return `${ms(row.cpuMs)}${size > 0 && measured(small) ? `, ${x(row.cpuMs / small.cpuMs)}` : ''}${(row.errors ?? 0) > 0 ? ` (**${row.errors} errors**)` : ''}`;
    });
    out.push(`| ${system.label} | ${size === 0 ? 'small (a fresh server)' : size.toLocaleString('en-US')} | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    'Rows are added before the server starts: random ids and hashes, the bench client and users, unexpired, half of the refresh tokens',
    'consumed. The ratio is this CPU per op ÷ the small table’s (1.0× = flat; above it, the cost grows with the table).',
    ...notes.map((n) => `- ${n}`),
  );
  return out;
}
