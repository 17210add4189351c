// The ceiling: node:http reading the request body and answering a token-sized JSON body, nothing else.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
// The size of a Latchkey client_credentials answer: an ES256 JWT access token and its fields.
const body = Buffer.from(
  JSON.stringify({
    access_token: `eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImJlbmNoIn0.${randomBytes(240).toString('base64url')}.${randomBytes(64).toString('base64url')}`,
    token_type: 'Bearer',
    expires_in: 900,
    scope: 'api',
  }),
);

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(port, '127.0.0.1', () => process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
