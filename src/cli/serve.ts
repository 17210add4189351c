// `latchkey serve`: runs the authorization server.

import cluster from 'node:cluster';
import type { Command } from 'commander';
import { superviseWorkers } from '../cluster.ts';
import { type ConfigInput, mergeConfigInputs, resolveConfig } from '../config/schema.ts';
import { parseIntOrThrow } from '../config/sources.ts';
import { createLogger } from '../log.ts';
import { startServer } from '../server.ts';
import { openStorage } from '../storage/open.ts';
import { redactDatabaseUrl } from '../storage/redact.ts';
import { keySealer, resolveSecret } from '../tokens/key-secret.ts';
import { ensureKeys } from '../tokens/keys.ts';
import { algsInUse } from '../tokens/rotate.ts';
import { action, configInput, type GlobalOptions, now, withCommonOptions } from './common.ts';
import { demoInstructions, ensureDemo } from './demo.ts';

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::', '[::]', '::0']);

interface ServeOptions extends GlobalOptions {
  port?: string;
  host?: string;
  issuer?: string;
  demo?: boolean;
  workers?: string;
}

export function serveCommand(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description('run the authorization server')
      .option('--port <port>', 'TCP port (env LATCHKEY_PORT or PORT; default 9000)')
      .option('--host <host>', 'address to listen on (env LATCHKEY_HOST; default localhost; 0.0.0.0 or :: needs --issuer)')
      .option('--issuer <url>', 'public issuer URL (env LATCHKEY_ISSUER; default http://HOST:PORT)')
      .option('--demo', 'create a demo user and client on first start and print how to use them')
      .option('--workers <n>', 'run N server processes sharing the port (node:cluster); default 1'),
    false,
  ).action(
    action(async (opts: ServeOptions) => {
      const flags: ConfigInput = {};
      if (opts.port !== undefined) flags.port = parseIntOrThrow(opts.port, '--port');
      if (opts.host !== undefined) flags.host = opts.host;
      if (opts.issuer !== undefined) flags.issuer = opts.issuer;
      const layers = configInput(opts, flags);
      const config = resolveConfig(...layers);
      // PostgreSQL without a secret stops here, before connecting (SQLite's default secret is made at start).
      if (!config.db.startsWith('sqlite:')) resolveSecret(config);
      // The issuer derived from an address that means "every address" would be advertised to clients.
      if (UNSPECIFIED_HOSTS.has(config.host) && !layers.some((l) => l.issuer !== undefined)) {
        throw new Error(
          `--host ${config.host} listens on every address, so the issuer cannot be derived from it: give the public URL with --issuer (env LATCHKEY_ISSUER)`,
        );
      }
      const workers = opts.workers === undefined ? 1 : parseIntOrThrow(opts.workers, '--workers');
      if (workers < 1 || workers > 64) throw new Error('--workers must be between 1 and 64');
      if (workers > 1 && cluster.isPrimary) {
        // Migrate and create the signing keys once, before the workers start and race to do it.
        const storage = await openStorage(config.db);
        try {
          const log = createLogger(config.logLevel);
          const sealer = keySealer(config, (path) =>
            log.warn({ event: 'secret.generated', path }, 'generated the secret that encrypts the signing keys'),
          );
          await ensureKeys(storage.keys, algsInUse(config), now(), sealer);
        } finally {
          await storage.close();
        }
        process.exitCode = await superviseWorkers({ workers, log: createLogger(config.logLevel) });
        return;
      }
      const storage = await openStorage(config.db);
      const server = await startServer(mergeConfigInputs(...layers), { storage });
      const log = server.deps.log;
      log.info(
        { event: 'server.started', issuer: server.url, db: redactDatabaseUrl(config.db), pid: process.pid },
        'Latchkey is listening',
      );
      // Under --workers, the first worker alone sets up the demo.
      if (opts.demo && (cluster.isPrimary || cluster.worker?.id === 1)) {
        const demo = await ensureDemo(storage, config.db, config.supportedScopes, now());
        process.stderr.write(`\nLatchkey is running at ${server.url}\n\n${demoInstructions(server.url, demo, config.ttl.code)}\n`);
      }
      const stop = () => {
        server.close().then(
          () => storage.close().then(() => process.exit(0)),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }),
  );
}
