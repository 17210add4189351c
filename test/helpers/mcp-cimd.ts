// A Latchkey that resolves Client ID Metadata Documents, with a document served over https on
// 127.0.0.1 and an example MCP server. The MCP SDKs accept only an https `clientMetadataUrl`, so the
// document is served with a certificate of the test CA (test/fixtures/loopback-tls); Latchkey runs
// as `latchkey serve` with that CA in NODE_EXTRA_CA_CERTS, which Node reads only at start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningMcpServer, startMcpServer } from '../../examples/mcp-server.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { openStorage } from '../../src/storage/open.ts';
import { spawnServer, startedLine } from './spawn.ts';

const tls = (name: string) => new URL(`../fixtures/loopback-tls/${name}`, import.meta.url).pathname;

export interface MetadataDocumentIssuer {
  /** The issuer (on loopback, so that it may fetch a document on loopback). */
  issuer: string;
  /** The document's URL: the client_id. */
  clientId: string;
  /** An MCP server whose authorization server is this issuer. */
  mcp: RunningMcpServer;
  user: { username: string; password: string };
  /** How many times the document was fetched. */
  documentFetches(): number;
  /** How many clients are stored (a client known by its document never is). */
  registrations(): Promise<number>;
  close(): Promise<void>;
}

/** Starts the document server, the MCP server and `latchkey serve` (registration on too, so that the SDK could fall back to it). */
export async function startMetadataDocumentIssuer(
  metadata: Record<string, unknown>,
  config: ConfigInput = {},
): Promise<MetadataDocumentIssuer> {
  let fetches = 0;
  let clientId = '';
  const docs = createServer({ key: readFileSync(tls('key.pem')), cert: readFileSync(tls('cert.pem')) }, (req, res) => {
    fetches++;
    if (req.url !== '/mcp-client.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...metadata, client_id: clientId }));
  });
  await new Promise<void>((resolve) => docs.listen(0, '127.0.0.1', resolve));
  clientId = `https://127.0.0.1:${(docs.address() as AddressInfo).port}/mcp-client.json`;

  let issuer = '';
  const mcp = await startMcpServer({ issuer: () => issuer, port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cimd-'));
  const db = `sqlite:${join(dir, 'latchkey.db')}`;
  const user = { username: 'grace', password: 'grace password 12' };
  const storage = await openStorage(db);
  await createUser(storage.users, user, Math.floor(Date.now() / 1000));
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...config,
      host: '127.0.0.1',
      port: 0,
      db,
      clientIdMetadataDocuments: { enabled: true },
      registration: { enabled: true },
      resources: [{ uri: mcp.resource, scopes: ['mcp:tools', 'mcp:write'], defaultScopes: ['mcp:tools'] }],
    }),
  );
  const server = spawnServer(['--config', configFile], { NODE_EXTRA_CA_CERTS: tls('ca.pem') });
  try {
    issuer = String((await server.waitFor(startedLine)).issuer);
  } catch (e) {
    server.child.kill();
    await Promise.all([mcp.close(), new Promise((resolve) => docs.close(resolve)), storage.close()]);
    throw e;
  }

  return {
    issuer,
    clientId,
    mcp,
    user,
    documentFetches: () => fetches,
    registrations: async () => (await storage.clients.page({ limit: 10 })).length,
    async close() {
      server.child.kill();
      await server.exited;
      await Promise.all([mcp.close(), new Promise((resolve) => docs.close(resolve)), storage.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
