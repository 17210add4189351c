// E2E: the official MCP TypeScript SDK client v1 (@modelcontextprotocol/sdk) against Latchkey and
// the example MCP server: every flow of test/helpers/mcp-suite.ts.
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mcpSdkSuite } from '../helpers/mcp-suite.ts';

mcpSdkSuite<StreamableHTTPClientTransport>({
  version: 'v1',
  exports: { Client, StreamableHTTPClientTransport, UnauthorizedError },
  finishAuth: (transport, callback) => transport.finishAuth(callback.get('code') ?? ''),
  // SDK v1 does not add offline_access to the scope it asks for: refresh tokens come with `always`.
  serverConfig: { refreshTokens: 'always' },
  // SDK v1 answers a 403 by refreshing when it holds a refresh token, which cannot widen the scope
  // (RFC 6749 §6): its step-up re-authorizes only a client without refresh tokens.
  stepUp: { scope: 'openid', grantTypes: ['authorization_code'] },
  refreshTokenBecause: 'refreshTokens: always gave a refresh token',
});
