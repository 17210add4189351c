// The public types of the server: what it takes besides the configuration, and what it gives back.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Accounts } from './accounts/account.ts';
import type { Deps } from './deps.ts';
import type { Views } from './interaction/views.ts';
import type { Logger as PublicLogger } from './log.ts';
import type { Storage } from './storage/types.ts';
import type { ClaimsHook } from './tokens/claims.ts';

/**
 * What {@link createAuthorizationServer} and {@link startServer} take besides the configuration.
 *
 * @example
 * ```ts
 * import { openStorage, startServer } from 'latchkey';
 * import { pino } from 'pino';
 *
 * const storage = await openStorage('sqlite:./data/latchkey.db');
 * const server = await startServer({ port: 9000 }, { storage, logger: pino({ level: 'warn' }) });
 * ```
 */
export interface ServerOptions {
  /**
   * A database already open (with {@link openStorage}), shared with your own code; the server does
   * not close it. Otherwise the server opens `config.db` and closes it in `close()`.
   */
  storage?: Storage;
  /** The current time in seconds since the epoch (default: the system clock); tests move it. */
  clock?: () => number;
  /** Where the JSON log lines and audit events go (default: pino on stdout at `config.logLevel`). */
  logger?: PublicLogger;
  /**
   * How often the signing keys are reloaded from the store (ms, default 4 s), so that a key rotated
   * by another instance or by `latchkey keys rotate` is used and published here too. Above 5 s, a
   * key rotated with `--immediately` may sign elsewhere before this instance publishes it.
   */
  keyReloadMs?: number;
  /** Page templates to use instead of the default ones (README "Theming the pages"). */
  views?: Partial<Views>;
  /**
   * Your own users table instead of the built-in one: finds an account by `sub` and checks a username
   * and password (README "Bring your own users").
   */
  accounts?: Accounts;
  /** Extra claims for access tokens and ID tokens, per client, scope and resource (README "Claims"). */
  claims?: ClaimsHook;
}

/**
 * An authorization server that is not listening: mount its handler in your own HTTP server or app.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createAuthorizationServer } from 'latchkey';
 *
 * const auth = await createAuthorizationServer({ issuer: 'http://localhost:9000', db: 'sqlite:./auth.db' });
 * const http = createServer(auth.handler).on('clientError', auth.clientErrorHandler);
 * http.listen(9000);
 * ```
 */
export interface AuthorizationServer {
  /** @internal The composition root's dependencies (this repository's CLI and tests); not published. */
  readonly deps: Deps;
  /** A `(req, res)` handler for node:http, Express, Connect or Fastify. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * The admin API's own handler when `admin.port` is set (it is then not served by `handler`): mount
   * it on a listener that is not exposed with the public endpoints. {@link startServer} listens on it.
   */
  readonly adminHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /** For node:http's `clientError` event: malformed requests, headers too large or too slow. */
  readonly clientErrorHandler: (err: Error, socket: Socket) => void;
  /** Stops the background work (key reload, clean-up) and closes the database the server opened. */
  close(): Promise<void>;
}

/**
 * An authorization server listening on its own port, returned by {@link startServer}.
 *
 * @example
 * ```ts
 * import { startServer } from 'latchkey';
 *
 * const server = await startServer({ port: 0, db: 'sqlite:./auth.db' });
 * console.log(`issuer ${server.url}`);
 * await server.close();
 * ```
 */
export interface RunningServer extends AuthorizationServer {
  /** The issuer identifier: `config.issuer`, or `http://HOST:PORT` with the port actually bound. */
  readonly url: string;
  /** The node:http server; `close()` closes it. */
  readonly http: Server;
  /** With `admin.port`: the admin API's own listener and its base URL (`http://HOST:PORT`). */
  readonly admin?: { readonly http: Server; readonly url: string };
}
