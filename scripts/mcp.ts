// `npm run mcp`: Latchkey and the example MCP server (examples/mcp-server.ts) on embedded defaults —
// the MCP server in Latchkey's resource registry, a demo user, and a public client for the MCP
// Inspector. The server's configuration comes from where `latchkey serve` takes it.
import { protectedResourceMetadataUrl } from 'latchkey/resource-server';
import { startMcpServer } from '../examples/mcp-server.ts';
import { configInput } from '../src/cli/common.ts';
import { ensureDemo } from '../src/cli/demo.ts';
import { buildClient } from '../src/clients/register.ts';
import { ConfigError, type ConfigInput, resolveConfig } from '../src/config/schema.ts';
import { parseIntOrThrow } from '../src/config/sources.ts';
import { startServer } from '../src/server.ts';
import { openStorage } from '../src/storage/open.ts';

/** The MCP Inspector's callback pages (`npx @modelcontextprotocol/inspector`). */
const INSPECTOR_REDIRECTS = ['http://localhost:6274/oauth/callback', 'http://localhost:6274/oauth/callback/debug'];
const INSPECTOR_CLIENT_ID = 'mcp-inspector';

async function main(): Promise<void> {
  const layers = configInput({});
  const config = resolveConfig(...layers);
  const mcpPort = process.env.MCP_PORT === undefined ? 9003 : parseIntOrThrow(process.env.MCP_PORT, 'MCP_PORT');
  let issuer = '';
  const mcp = await startMcpServer({ issuer: () => issuer, port: mcpPort, host: config.host });
  const input: ConfigInput = {
    ...(Object.assign({}, ...layers) as ConfigInput),
    resources: [...config.resources, { uri: mcp.resource, scopes: ['mcp:tools', 'mcp:write'], defaultScopes: ['mcp:tools'] }],
  };
  const storage = await openStorage(config.db);
  const server = await startServer(input, { storage });
  issuer = server.url;
  const now = Math.floor(Date.now() / 1000);
  const demo = await ensureDemo(storage, config.db, server.deps.config.supportedScopes, now);
  if (!(await storage.clients.get(INSPECTOR_CLIENT_ID))) {
    const { record } = buildClient(
      {
        name: 'MCP Inspector',
        clientId: INSPECTOR_CLIENT_ID,
        public: true,
        redirectUris: INSPECTOR_REDIRECTS,
        scope: 'openid offline_access',
      },
      server.deps.config.supportedScopes,
      now,
    );
    await storage.clients.create(record);
  }
  process.stderr.write(`
Latchkey and the example MCP server are running:

  MCP server             ${mcp.resource}
  Authorization server   ${server.url}

  Demo user:             ${demo.username} / ${demo.password}
  MCP Inspector client:  client_id ${INSPECTOR_CLIENT_ID} (public, redirect ${INSPECTOR_REDIRECTS[0]})

Connect an MCP client to ${mcp.resource}: it finds Latchkey through the server's
${protectedResourceMetadataUrl(mcp.resource)} document.
The tool "whoami" needs mcp:tools; "add_note" needs mcp:write too (the client is asked to step up).
Stop with Ctrl+C.
`);
  const stop = () => {
    Promise.all([mcp.close(), server.close()])
      .then(() => storage.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  const message = e instanceof ConfigError ? e.message : `could not start: ${(e as Error).message}`;
  process.stderr.write(`latchkey: ${message}\n`);
  process.exit(1);
});
