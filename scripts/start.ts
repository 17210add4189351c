// `npm start`: the three parties of the authorization code grant on embedded defaults —
// the authorization server (SQLite), the demo API (resource server) and the demo client application
// (examples/). The server's configuration comes from where `latchkey serve` takes it.

import { startDemoApi } from '../examples/demo-api.ts';
import { startDemoClient } from '../examples/demo-client.ts';
import { configInput } from '../src/cli/common.ts';
import { demoInstructions, ensureDemo } from '../src/cli/demo.ts';
import { ConfigError, type ConfigInput, mergeConfigInputs, resolveConfig } from '../src/config/schema.ts';
import { parseIntOrThrow } from '../src/config/sources.ts';
import { startServer } from '../src/server.ts';
import { openStorage } from '../src/storage/open.ts';

export interface DemoOptions {
  host: string;
  serverPort: number;
  clientPort: number;
  apiPort: number;
  db: string;
  config?: ConfigInput;
}

/** Starts all three; returns their URLs, the demo credentials and a close function. */
export async function startDemo(opts: DemoOptions) {
  let issuer = '';
  let registration = { clientId: '', clientSecret: '' };
  const api = await startDemoApi({ host: opts.host, port: opts.apiPort, issuer: () => issuer });
  const app = await startDemoClient({
    host: opts.host,
    port: opts.clientPort,
    issuer: () => issuer,
    registration: () => registration,
    apiUrl: () => api.url,
  });
  const input: ConfigInput = {
    ...opts.config,
    host: opts.host,
    port: opts.serverPort,
    db: opts.db,
    scopes: [...new Set([...(opts.config?.scopes ?? []), 'api:read', 'api:write'])],
    // Access tokens are for the demo API unless a client asks otherwise.
    defaultAudience: api.url,
  };
  const storage = await openStorage(resolveConfig(input).db);
  const server = await startServer(input, { storage });
  issuer = server.url;
  const demo = await ensureDemo(storage, opts.db, server.deps.config.supportedScopes, Math.floor(Date.now() / 1000), `${app.url}/callback`);
  registration = { clientId: demo.client_id, clientSecret: demo.client_secret };
  return {
    server,
    storage,
    api,
    app,
    demo,
    async close() {
      await app.close();
      await api.close();
      await server.close();
      await storage.close();
    },
  };
}

async function main(): Promise<void> {
  // The layers of `latchkey serve`: defaults < LATCHKEY_CONFIG file < environment.
  const layers = configInput({});
  const config = resolveConfig(...layers);
  const port = (name: string, fallback: number) => {
    const v = process.env[name];
    return v === undefined ? fallback : parseIntOrThrow(v, name);
  };
  const demo = await startDemo({
    host: config.host,
    serverPort: config.port,
    clientPort: port('DEMO_CLIENT_PORT', 9001),
    apiPort: port('DEMO_API_PORT', 9002),
    db: config.db,
    config: mergeConfigInputs(...layers),
  });
  process.stderr.write(`
Latchkey demo is running:

  Demo app (open this)   ${demo.app.url}
  Authorization server   ${demo.server.url}
  Demo API               ${demo.api.url}

${demoInstructions(demo.server.url, demo.demo, demo.server.deps.config.ttl.code)}
Stop with Ctrl+C.
`);
  const stop = () => {
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    const message = e instanceof ConfigError ? e.message : `could not start: ${(e as Error).message}`;
    process.stderr.write(`latchkey: ${message}\n`);
    process.exit(1);
  });
}
