// The demo API: a plain node:http resource server protected by Latchkey's resource-server module.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AccessTokenMiddleware, type AccessTokenRequest, requireAccessToken } from 'latchkey/resource-server';
import { type Listening, listen } from './listen.ts';

export interface DemoApiOptions {
  /** Read at the first request, so the API may start before the authorization server it trusts. */
  issuer: () => string;
  /** The `aud` this API accepts; its own URL when not given. */
  audience?: string;
  port: number;
  host: string;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startDemoApi(opts: DemoApiOptions): Promise<Listening> {
  let url = '';
  let guards: { read: AccessTokenMiddleware; write: AccessTokenMiddleware } | undefined;
  const guard = () => {
    guards ??= (() => {
      const base = { issuer: opts.issuer(), audience: opts.audience ?? url, realm: 'demo-api' };
      return { read: requireAccessToken({ ...base, scopes: ['api:read'] }), write: requireAccessToken({ ...base, scopes: ['api:write'] }) };
    })();
    return guards;
  };
  let writes = 0;

  const server = createServer((req: IncomingMessage & AccessTokenRequest, res) => {
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    switch (route) {
      case 'GET /api/read':
        void guard().read(req, res, () =>
          send(res, 200, { message: 'Hello from the demo API', sub: req.auth?.sub, scope: req.auth?.scope, at: new Date().toISOString() }),
        );
        return;
      case 'POST /api/write':
        void guard().write(req, res, () => send(res, 200, { message: 'Write accepted', writes: ++writes, sub: req.auth?.sub }));
        return;
      case 'GET /':
        send(res, 200, { routes: { 'GET /api/read': 'needs scope api:read', 'POST /api/write': 'needs scope api:write' } });
        return;
      default:
        send(res, 404, { error: 'not_found' });
    }
  });
  const listening = await listen(server, opts.port, opts.host);
  url = listening.url;
  return listening;
}
