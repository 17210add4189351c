// What every CLI command shares: the database option, output, and one-line errors with exit code 1.
import type { Command } from 'commander';
import { type ConfigInput, configFromEnv, configFromFile, resolveConfig } from '../config/schema.ts';
import { openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/types.ts';

export interface GlobalOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

/** Layers: defaults < config file (--config / LATCHKEY_CONFIG) < environment < flags. */
export function configInput(opts: GlobalOptions, flags: ConfigInput = {}): ConfigInput[] {
  const file = opts.config ?? process.env.LATCHKEY_CONFIG;
  return [file ? configFromFile(file) : undefined, configFromEnv(process.env), { ...flags, ...(opts.db ? { db: opts.db } : {}) }].filter(
    (x): x is ConfigInput => x !== undefined,
  );
}

/** Opens the configured database (migrating it) for a command that works on it directly. */
export async function withStorage<T>(
  opts: GlobalOptions,
  fn: (storage: Storage, supportedScopes: readonly string[]) => Promise<T>,
): Promise<T> {
  const config = resolveConfig(...configInput(opts));
  const storage = await openStorage(config.db);
  try {
    return await fn(storage, config.supportedScopes);
  } finally {
    await storage.close();
  }
}

export const now = () => Math.floor(Date.now() / 1000);

export function print(opts: GlobalOptions, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** Adds --db, --config and --json to a command. */
export function withCommonOptions(cmd: Command, json = true): Command {
  cmd.option('--db <url>', 'database: sqlite:PATH (env LATCHKEY_DB)').option('--config <file>', 'JSON config file (env LATCHKEY_CONFIG)');
  if (json) cmd.option('--json', 'machine-readable output (RFC 7591 field names)');
  return cmd;
}

/** Runs an action; any error becomes one line on stderr and exit code 1. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`latchkey: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  };
}
