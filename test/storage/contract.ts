// ARCHITECTURE.md rule 6: the storage contract. The same suite runs, unchanged, on every engine.
import { after, before, describe } from 'node:test';
import { connectDatabase, openDatabase } from '../../src/storage/open.ts';
import { sqlStores } from '../../src/storage/sql-stores.ts';
import { adminContract } from './contract-admin.ts';
import { factorContract } from './contract-factors.ts';
import { lifecycleContract } from './contract-lifecycle.ts';
import { logoutContract } from './contract-logout.ts';
import { recordContract } from './contract-records.ts';
import { registrationContract } from './contract-registrations.ts';
import { deviceCodeContract, replayContract } from './contract-replay.ts';
import { throttleContract } from './contract-throttle.ts';
import { tokenContract } from './contract-tokens.ts';
import type { Ctx } from './fixtures.ts';

/** A database URL of an empty database, and how to remove it. */
export interface TestDb {
  url: string;
  drop(): Promise<void>;
}

export interface Engine {
  name: string;
  /** Creates an empty database (each call a new one). */
  create(): Promise<TestDb>;
  /** A reason to skip, when the engine is not available on this machine. */
  skip?: string | false;
}

/** Registers the whole contract suite for one engine. */
export function storageContract(engine: Engine): void {
  describe(`storage contract: ${engine.name}`, { skip: engine.skip ?? false }, () => {
    const dbs: TestDb[] = [];
    const closers: (() => Promise<void>)[] = [];
    const ctx = {} as Ctx;

    ctx.fresh = async () => {
      const t = await engine.create();
      dbs.push(t);
      const { db, engine: kind } = await openDatabase(t.url);
      const storage = sqlStores(db, kind);
      closers.push(() => storage.close());
      return { storage, db };
    };

    ctx.unmigrated = async () => {
      const t = await engine.create();
      dbs.push(t);
      const db = await connectDatabase(t.url);
      closers.push(() => db.destroy());
      return db;
    };

    before(async () => {
      ctx.storage = (await ctx.fresh()).storage;
    });

    after(async () => {
      for (const close of closers) await close().catch(() => {});
      for (const t of dbs) await t.drop();
    });

    tokenContract(ctx);
    recordContract(ctx);
    throttleContract(ctx);
    registrationContract(ctx);
    lifecycleContract(ctx);
    adminContract(ctx);
    replayContract(ctx);
    deviceCodeContract(ctx);
    factorContract(ctx);
    logoutContract(ctx);
  });
}
