// An MCP server (MCP TypeScript SDK v2 server package, Streamable HTTP) protected by Latchkey's
// resource-server kit, as the MCP authorization specification (2025-06-18, 2025-11-25) asks: RFC 9728
// metadata, 401/403 challenges pointing to it, and tokens whose audience is this server.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { localhostHostValidation, NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { type AuthInfo, McpServer } from '@modelcontextprotocol/server';
import {
  type AccessTokenMiddleware,
  type AccessTokenRequest,
  type ProtectedResourceHandler,
  protectedResourceHandler,
  protectedResourceMetadataUrl,
  requireAccessToken,
  toMcpAuthInfo,
} from 'latchkey/resource-server';
import { z } from 'zod';
import { type Listening, listen } from './listen.ts';

export interface McpServerOptions {
  /** Read at the first request, so that the MCP server may start before the authorization server. */
  issuer: () => string;
  port: number;
  host: string;
  /** Where the MCP endpoint is: `/mcp` by default; `/` makes the resource the bare origin (`http://host:port/`). */
  path?: string;
  /**
   * The `aud` Latchkey puts in tokens for this server: the resource as written in Latchkey's
   * `resources` (it may differ from the resource by the origin's trailing slash); read at the first
   * request. Default: the resource.
   */
  audience?: () => string;
  /**
   * The scopes the tools need: `tools` for every call, `write` (added to `tools`) for `add_note`.
   * Default `mcp:tools` and `mcp:write`; empty lists make the server ask for no scope at all.
   */
  scopes?: { tools: string[]; write: string[] };
}

export interface RunningMcpServer extends Listening {
  /** The MCP endpoint, and this server's resource identifier (RFC 8707) as tokens name it. */
  resource: string;
  /** The notes `add_note` has kept. */
  notes: string[];
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Whether a JSON-RPC message (or batch) calls the tool that writes. */
function callsWriteTool(body: unknown): boolean {
  return [body].flat().some((m) => {
    const message = m as { method?: unknown; params?: { name?: unknown } } | null;
    return message?.method === 'tools/call' && message.params?.name === 'add_note';
  });
}

function buildMcpServer(auth: AuthInfo, notes: string[]): McpServer {
  const server = new McpServer({ name: 'latchkey-example', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who the access token was issued to' }, async () => ({
    content: [
      {
        type: 'text',
        text: JSON.stringify({ sub: auth.extra?.sub, client_id: auth.clientId, scopes: auth.scopes, resource: auth.resource?.href }),
      },
    ],
  }));
  server.registerTool(
    'add_note',
    { description: 'Keeps a note (needs the write scope)', inputSchema: z.object({ text: z.string().max(200) }) },
    async ({ text }) => {
      notes.push(text);
      return { content: [{ type: 'text', text: `noted (${notes.length})` }] };
    },
  );
  return server;
}

export async function startMcpServer(opts: McpServerOptions): Promise<RunningMcpServer> {
  const path = opts.path ?? '/mcp';
  const scopes = opts.scopes ?? { tools: ['mcp:tools'], write: ['mcp:write'] };
  const notes: string[] = [];
  let resource = '';
  const audience = () => opts.audience?.() ?? resource;
  let parts: { metadata: ProtectedResourceHandler; tools: AccessTokenMiddleware; write: AccessTokenMiddleware } | undefined;
  const built = () => {
    parts ??= (() => {
      const issuer = opts.issuer();
      const base = { issuer, audience: audience(), resourceMetadata: protectedResourceMetadataUrl(resource) };
      return {
        metadata: protectedResourceHandler({
          resource,
          authorizationServers: [issuer],
          scopesSupported: [...scopes.tools, ...scopes.write],
          resourceName: 'Latchkey example MCP server',
        }),
        tools: requireAccessToken({ ...base, scopes: scopes.tools }),
        write: requireAccessToken({ ...base, scopes: [...new Set([...scopes.tools, ...scopes.write])] }),
      };
    })();
    return parts;
  };
  const validHost = opts.host === 'localhost' || opts.host === '127.0.0.1' || opts.host === '::1' ? localhostHostValidation() : () => true;

  const server = createServer(async (req: IncomingMessage & AccessTokenRequest, res: ServerResponse) => {
    try {
      // DNS rebinding: a server on loopback answers only requests addressed to loopback.
      if (!validHost(req, res)) return;
      const { metadata, tools, write } = built();
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname !== path) {
        await metadata(req, res, () => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}'));
        return;
      }
      const text = req.method === 'POST' ? await readBody(req) : '';
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}');
        return;
      }
      const guard = callsWriteTool(body) ? write : tools;
      await guard(req, res, async () => {
        const claims = req.auth;
        if (!claims) return;
        const token = (req.headers.authorization ?? '').slice('Bearer '.length).trim();
        // The SDK reads `req.auth` as its AuthInfo: Latchkey's claims become that shape here.
        const withAuth = Object.assign(req, {
          auth: toMcpAuthInfo(token, claims, audience()),
        }) as unknown as IncomingMessage & {
          auth: AuthInfo;
        };
        const mcp = buildMcpServer(withAuth.auth, notes);
        // Stateless: one server and transport per request.
        const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on('close', () => {
          void transport.close();
          void mcp.close();
        });
        await mcp.connect(transport);
        await transport.handleRequest(withAuth, res, body);
      });
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
    }
  });
  const listening = await listen(server, opts.port, opts.host);
  resource = new URL(path, listening.url).href;
  return { ...listening, resource, notes };
}
