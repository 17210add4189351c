// PostgreSQL for tests: each caller gets a database of its own in the run's throwaway cluster
// (scripts/test.sh starts it and sets LATCHKEY_TEST_PG_URL).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const base = process.env.LATCHKEY_TEST_PG_URL;

/** A reason to skip the PostgreSQL tests, or false when a cluster is there. In CI there must be one. */
export const pgSkip: string | false = base
  ? false
  : 'PostgreSQL is not available (LATCHKEY_TEST_PG_URL is not set; run `npm test`, which starts a throwaway cluster)';

if (!base && process.env.CI === 'true')
  throw new Error('CI=true but LATCHKEY_TEST_PG_URL is not set: the PostgreSQL tests cannot be skipped in CI');

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  if (!base) throw new Error(pgSkip || 'no PostgreSQL');
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name; `drop` removes it, closing what is still connected. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(base as string);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
