// E2E: the official MCP TypeScript SDK client v2 (@modelcontextprotocol/client) against Latchkey and
// the example MCP server: every flow of test/helpers/mcp-suite.ts.
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { mcpSdkSuite } from '../helpers/mcp-suite.ts';

mcpSdkSuite<StreamableHTTPClientTransport>({
  version: 'v2',
  exports: { Client, StreamableHTTPClientTransport, UnauthorizedError },
  finishAuth: (transport, callback) => transport.finishAuth(callback),
  stepUp: { scope: 'openid offline_access' },
  refreshTokenBecause: 'offline_access gave a refresh token',
});
