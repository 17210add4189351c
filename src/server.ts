// ARCHITECTURE.md rule 3: the composition root. Validates config, builds the dependencies, passes them down.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { builtInAccounts } from './accounts/account.ts';
import { startLogoutWorker } from './backchannel-logout/worker.ts';
import { ClientKeys } from './clients/client-keys.ts';
import { MetadataDocuments, withMetadataDocuments } from './clients/metadata-document.ts';
import { epochSeconds } from './clock.ts';
import { type Config, ConfigError, type ConfigInput, resolveConfig } from './config/schema.ts';
import type { Deps } from './deps.ts';
import { OAuthError } from './errors.ts';
import { errorResponse } from './http/errors.ts';
import { clientErrorHandler, createHttpServer, nodeHandler } from './http/node.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createFactorViews } from './interaction/factor-views.ts';
import { createViews, errorPage } from './interaction/views.ts';
import { createLogger } from './log.ts';
import { startMaintenance } from './maintenance.ts';
import { countingLogger, serverMetrics } from './observability/audit.ts';
import { type AuditRecorder, auditRecorder } from './observability/audit-store.ts';
import { createMetrics } from './observability/metrics.ts';
import { adminRoutes, routes } from './routes.ts';
import type { AuthorizationServer, RunningServer, ServerOptions } from './server-types.ts';
import { openStorage } from './storage/open.ts';
import { withReadCaches } from './storage/read-cache.ts';
import type { Storage } from './storage/types.ts';
import { createIssuer } from './tokens/issuer.ts';
import { keySealer } from './tokens/key-secret.ts';
import { ensureKeys, loadKeyRing, NO_ACTIVE_KEY_HELP } from './tokens/keys.ts';
import { KEY_RELOAD_MS } from './tokens/rotate.ts';
import { VerifiedTokens } from './tokens/verify.ts';

/** The operator's stylesheet (`theme.css`); a file that cannot be read stops start-up with its path. */
function readThemeCss(config: Config): string {
  if (!config.theme.css) return '';
  try {
    return readFileSync(config.theme.css, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: "theme.css" cannot be read: ${(e as Error).message}`);
  }
}

/**
 * Builds the server without listening, to mount its handler in another app. Opens and migrates the
 * database (unless `options.storage` is given) and creates the signing keys on first use.
 *
 * @param input the configuration (README "Configuration"); validated once, a bad value throws a
 *   {@link ConfigError} naming the key
 * @example
 * ```ts
 * import express from 'express';
 * import { createAuthorizationServer } from 'latchkey';
 *
 * const auth = await createAuthorizationServer({ issuer: 'https://example.com/auth', db: 'sqlite:./auth.db' });
 * const app = express();
 * app.use('/auth', auth.handler);
 * ```
 */
export async function createAuthorizationServer(input: ConfigInput, options: ServerOptions = {}): Promise<AuthorizationServer> {
  return build(resolveConfig(input), options);
}

async function build(config: Config, options: ServerOptions): Promise<AuthorizationServer> {
  // Sound: the server calls only the methods of the public Logger interface on it.
  const baseLog = (options.logger as Logger | undefined) ?? createLogger(config.logLevel);
  const metrics = serverMetrics(createMetrics());
  const clock = options.clock ?? epochSeconds;
  // Audit events go to the database too when the admin API can read them (observability/audit-store.ts).
  let recorder: AuditRecorder | undefined;
  // Audit events are counted, and recorded; each request logs through a child with its request id.
  const log = countingLogger(baseLog, metrics, (fields) => recorder?.record(fields));
  // Before the database: a missing or unreadable secret stops start-up before anything is created.
  const sealer = keySealer(config, (path) =>
    baseLog.warn(
      { event: 'secret.generated', path },
      'generated the secret that encrypts the signing keys; back it up with the database (or set LATCHKEY_SECRET)',
    ),
  );
  const opened = options.storage ?? (await openStorage(config.db));
  // The client read of every token request, cached briefly (read-cache.ts).
  const cached = withReadCaches(opened, { clientTtlMs: 5000, max: 10_000 });
  // draft-ietf-oauth-client-id-metadata-document-03: a URL-shaped client_id that is not stored names its document.
  const documents = config.clientIdMetadataDocuments.enabled
    ? new MetadataDocuments({
        documents: config.clientIdMetadataDocuments,
        fetch: config.outboundFetch,
        issuer: config.issuer,
        supportedScopes: config.supportedScopes,
        clock,
      })
    : undefined;
  // The stores of a request that logs through `into` (the request's logger, or the server's).
  const storageFor = (into: Logger): Storage =>
    documents
      ? {
          ...cached,
          clients: withMetadataDocuments(cached.clients, documents, (clientId, reason) =>
            into.warn(
              { event: 'client.metadata_document_refused', client_id: clientId.slice(0, 256), reason },
              'client metadata document refused',
            ),
          ),
        }
      : cached;
  const storage = storageFor(log);
  if (config.admin.enabled && config.admin.auditRetentionDays > 0) {
    recorder = auditRecorder(storage.audit, clock, config.admin.auditRetentionDays, (err) =>
      baseLog.error({ err }, 'an audit event could not be stored'),
    );
  }
  const changed = await ensureKeys(storage.keys, [config.accessTokenAlg, config.idTokenAlg], clock(), sealer);
  if (changed.sealed.length) baseLog.info({ event: 'key.sealed', kids: changed.sealed }, 'signing keys stored in clear are now encrypted');
  if (changed.activated.length) {
    baseLog.warn({ event: 'key.activated', kids: changed.activated }, 'no signing key was active: the published one now signs');
  }
  const keys = await loadKeyRing(storage.keys, clock, {
    sealer,
    onUnreadable: (kid, err) =>
      log.error({ event: 'key.unreadable', kid, err }, `a signing key cannot be opened here: ${NO_ACTIVE_KEY_HELP}`),
  });
  const themeCss = readThemeCss(config);
  const views = createViews({
    css: themeCss,
    ...(config.theme.productName ? { productName: config.theme.productName } : {}),
    ...(options.views ? { overrides: options.views } : {}),
  });
  const deps: Deps = {
    config,
    cookieKey: sealer.derive('cookie mac'),
    storage,
    adminStorage: cached,
    ...(documents ? { storageFor } : {}),
    keys,
    issuer: createIssuer(config, keys, clock),
    clock,
    log,
    metrics,
    views,
    factorViews: createFactorViews({ css: themeCss }),
    verifiedTokens: new VerifiedTokens(),
    accounts: options.accounts ?? builtInAccounts(storage.users),
    ...(options.claims ? { claimsHook: options.claims } : {}),
    clientKeys: new ClientKeys({ fetch: config.outboundFetch, nowMs: () => clock() * 1000 }),
  };
  const adapter = {
    bodyBytes: config.limits.bodyBytes,
    parameterBytes: config.limits.parameterBytes,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    https: config.issuer.startsWith('https:'),
    basePath: new URL(config.issuer).pathname.replace(/\/$/, ''),
    trustProxy: config.trustProxy === true ? 1 : config.trustProxy === false ? 0 : config.trustProxy,
    log,
    metrics,
    errorPage: views.error,
  };
  const handler = nodeHandler(routes(deps, log), adapter);
  const adminHandler = config.admin.enabled && config.admin.port !== undefined ? nodeHandler(adminRoutes(deps, log), adapter) : undefined;
  const stopMaintenance = startMaintenance(deps);
  // OIDC Back-Channel Logout 1.0 §2.5: delivers the logout tokens queued by ended sessions.
  const logoutWorker = startLogoutWorker({ config, storage, keys, log, clock });
  const keyReload = setInterval(() => {
    keys.reload().catch((err: unknown) => log.error({ err }, 'reloading the signing keys failed'));
  }, options.keyReloadMs ?? KEY_RELOAD_MS);
  keyReload.unref();
  return {
    deps,
    handler,
    ...(adminHandler ? { adminHandler } : {}),
    clientErrorHandler: clientErrorHandler(adapter),
    async close() {
      clearInterval(keyReload);
      stopMaintenance();
      await logoutWorker.stop();
      await recorder?.flush();
      if (!options.storage) await storage.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The admin API's own listener (`admin.port`, `admin.host`): a start-up failure names the key. */
async function listenAdmin(
  config: Config,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onClientError: (err: Error, socket: Socket) => void,
): Promise<{ http: Server; url: string }> {
  const http = createHttpServer(config.limits);
  http.on('request', handler).on('clientError', onClientError);
  const host = config.admin.host ?? config.host;
  await new Promise<void>((resolve, reject) => {
    http.once('error', (e) => reject(new ConfigError(`config: "admin.port" ${config.admin.port} cannot be listened on: ${e.message}`)));
    http.listen(config.admin.port, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return { http, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Until the server is built, a request (a probe, a client during a rolling deploy) is told to retry. */
function starting(https: boolean): (req: IncomingMessage, res: ServerResponse) => void {
  const error = new OAuthError('temporarily_unavailable', 'the server is starting', {
    status: 503,
    headers: { 'retry-after': '1', connection: 'close' },
  });
  // The one serializer (http/errors.ts), as for any other error; nothing to log (no detail).
  const r = errorResponse(error, 'json', pino({ enabled: false }), errorPage);
  return (_req, res) => {
    res.writeHead(r.status, { ...securityHeaders(https), ...r.headers });
    res.end(r.body);
  };
}

/**
 * Listens on `config.port` (0: any free port) and serves. Without an explicit issuer, the issuer is
 * the address actually bound. Requests that arrive while the server is being built get 503 with
 * `Retry-After`, never silence.
 *
 * @example
 * ```ts
 * import { startServer } from 'latchkey';
 *
 * const server = await startServer({ port: 9000, db: 'sqlite:./data/latchkey.db', scopes: ['api:read'] });
 * process.once('SIGTERM', () => void server.close());
 * ```
 */
export async function startServer(input: ConfigInput, options: ServerOptions = {}): Promise<RunningServer> {
  const first = resolveConfig(input);
  const http = createHttpServer(first.limits);
  let handle = starting(first.issuer.startsWith('https:'));
  http.on('request', (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(first.port, first.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  try {
    const port = (http.address() as AddressInfo).port;
    const config = input.issuer ? first : resolveConfig(input, { port });
    const app = await build(config, options);
    handle = app.handler;
    http.on('clientError', app.clientErrorHandler);
    const admin = app.adminHandler
      ? await listenAdmin(config, app.adminHandler, app.clientErrorHandler).catch(async (e: unknown) => {
          await app.close();
          throw e;
        })
      : undefined;
    return {
      ...app,
      url: config.issuer,
      http,
      ...(admin ? { admin } : {}),
      async close() {
        await Promise.all([http, ...(admin ? [admin.http] : [])].map(closeServer));
        await app.close();
      },
    };
  } catch (e) {
    http.close();
    throw e;
  }
}
