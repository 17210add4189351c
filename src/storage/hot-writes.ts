// The write transactions of a sign-in, a code exchange and a refresh, behind one interface: here as
// a transaction of two statements (SQLite, where runner.ts runs it without yielding; it would do on
// any engine), and on PostgreSQL as one statement each (postgres/hot-writes.ts). sql-stores.ts
// picks one by engine and calls it without knowing which.
import type { hotStatements } from './hot-statements.ts';
import type { Row } from './rows.ts';
import { type Runner, step } from './runner.ts';

export interface HotWrites {
  /** A sign-in's grant and its code, both or neither. */
  grantAndCode(grant: Row<'grants'>, code: Row<'codes'>): Promise<void>;
  /** Consumes the code and stores the refresh token; false (and nothing stored) when it was consumed already. */
  redeem(codeHash: string, now: number, refresh: Row<'refresh_tokens'>): Promise<boolean>;
  /** Consumes the old refresh token, naming its successor, and stores the successor; false when it was consumed already. */
  rotate(tokenHash: string, now: number, next: Row<'refresh_tokens'>, successor: string | null): Promise<boolean>;
}

/** Whether a write statement changed exactly one row (the consume that wins). */
export const one = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows) === 1;

/** The writes as transactions of the compiled statements (storage/hot-statements.ts). */
export function transactionHotWrites(hot: ReturnType<typeof hotStatements>, run: Runner): HotWrites {
  return {
    async grantAndCode(grant, code) {
      await run.transaction(function* () {
        yield* step(hot.insertGrant.with(grant));
        yield* step(hot.insertCode.with(code));
      });
    },
    redeem: (codeHash, now, refresh) =>
      run.transaction(function* () {
        if (!one(yield* step(hot.consumeCode.with({ codeHash, now })))) return false;
        yield* step(hot.insertRefresh.with(refresh));
        return true;
      }),
    rotate: (tokenHash, now, next, successor) =>
      run.transaction(function* () {
        if (!one(yield* step(hot.consumeRefresh.with({ tokenHash, now, replacedBy: next.token_hash, successor })))) return false;
        yield* step(hot.insertRefresh.with(next));
        return true;
      }),
  };
}
