// What every CLI command shares: the database option, output, and one-line errors with exit code 1.

import type { Command } from 'commander';
import { epochSeconds } from '../clock.ts';
import { type ConfigInput, resolveConfig } from '../config/schema.ts';
import { configFromEnv, configFromFile } from '../config/sources.ts';
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

/**
 * Opens the configured database (migrating it) for a command that works on it directly. Only a
 * command that creates something (`create: true`) creates a missing SQLite database; any other is
 * refused, so that a mistyped path is an error rather than a new, empty database.
 */
export async function withStorage<T>(
  opts: GlobalOptions,
  fn: (storage: Storage, supportedScopes: readonly string[]) => Promise<T>,
  { create = false }: { create?: boolean } = {},
): Promise<T> {
  const config = resolveConfig(...configInput(opts));
  const storage = await openStorage(config.db, { create });
  try {
    return await fn(storage, config.supportedScopes);
  } finally {
    await storage.close();
  }
}

export const now = epochSeconds;

export function print(opts: GlobalOptions, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

/** Adds --db, --config and, unless `json` is false, --json (`rfc7591`: its output uses those field names). */
export function withCommonOptions(cmd: Command, json: 'plain' | 'rfc7591' | false = 'plain'): Command {
  cmd
    .option('--db <url>', 'database: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (env LATCHKEY_DB)')
    .option('--config <file>', 'JSON config file (env LATCHKEY_CONFIG)');
  if (json) cmd.option('--json', json === 'rfc7591' ? 'machine-readable output (RFC 7591 field names)' : 'machine-readable output (JSON)');
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
