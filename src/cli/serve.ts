// `latchkey serve`: runs the authorization server.

import { createHash, randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type ConfigInput, parseIntOrThrow, resolveConfig } from '../config/schema.ts';
import { startServer } from '../server.ts';
import { openStorage } from '../storage/open.ts';
import { action, configInput, type GlobalOptions, now, withCommonOptions } from './common.ts';
import { ensureDemo } from './demo.ts';

interface ServeOptions extends GlobalOptions {
  port?: string;
  host?: string;
  issuer?: string;
  demo?: boolean;
}

export function serveCommand(program: Command): void {
  withCommonOptions(
    program
      .command('serve')
      .description('run the authorization server')
      .option('--port <port>', 'TCP port (env LATCHKEY_PORT or PORT; default 9000)')
      .option('--host <host>', 'address to listen on (env LATCHKEY_HOST; default localhost)')
      .option('--issuer <url>', 'public issuer URL (env LATCHKEY_ISSUER; default http://HOST:PORT)')
      .option('--demo', 'create a demo user and client on first start and print how to use them'),
    false,
  ).action(
    action(async (opts: ServeOptions) => {
      const flags: ConfigInput = {};
      if (opts.port !== undefined) flags.port = parseIntOrThrow(opts.port, '--port');
      if (opts.host !== undefined) flags.host = opts.host;
      if (opts.issuer !== undefined) flags.issuer = opts.issuer;
      const layers = configInput(opts, flags);
      const config = resolveConfig(...layers);
      const storage = await openStorage(config.db);
      const server = await startServer(Object.assign({}, ...layers) as ConfigInput, { storage });
      const log = server.deps.log;
      log.info({ event: 'server.started', issuer: server.url, db: config.db.replace(/\/\/[^@]*@/, '//***@') }, 'Latchkey is listening');
      if (opts.demo) {
        const demo = await ensureDemo(storage, config.db, config.supportedScopes, now());
        const verifier = randomBytes(32).toString('base64url');
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        const authorize = new URL(`${server.url}/authorize`);
        for (const [k, v] of Object.entries({
          response_type: 'code',
          client_id: demo.client_id,
          redirect_uri: demo.redirect_uri,
          scope: 'openid profile email offline_access',
          state: randomBytes(8).toString('base64url'),
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })) {
          authorize.searchParams.set(k, v);
        }
        process.stderr.write(`
Latchkey is running at ${server.url}

  Demo user:      ${demo.username} / ${demo.password}
  Demo client:    client_id ${demo.client_id}
                  client_secret ${demo.client_secret}
                  redirect_uri ${demo.redirect_uri}

Open this URL, sign in and allow; the browser lands on the redirect URI with ?code=…
  ${authorize.href}

Then exchange the code (within ${config.ttl.code} s):
  curl -s -u '${demo.client_id}:${demo.client_secret}' ${server.url}/token \\
    -d grant_type=authorization_code -d redirect_uri=${demo.redirect_uri} \\
    -d code_verifier=${verifier} -d code=PASTE_CODE_HERE

`);
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
