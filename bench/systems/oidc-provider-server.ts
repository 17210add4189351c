// node-oidc-provider configured as close to Latchkey as it allows, served by node:http on 127.0.0.1.
// Started by the bench as its own process; answers { type: 'ready' } over IPC once it listens.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { ARGON2_PARAMS } from '../../src/accounts/passwords.ts';

export interface OidcProviderOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  resource: string;
  /** Users `${userPrefix}${i}` for i below `users`, all with `password`. */
  userPrefix: string;
  users: number;
  password: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as OidcProviderOptions;
const issuer = `http://127.0.0.1:${options.port}`;

async function signingKeys() {
  const es = await generateKeyPair('ES256', { extractable: true });
  const rs = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return [
    { ...(await exportJWK(rs.privateKey)), kid: 'rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(es.privateKey)), kid: 'es256', alg: 'ES256', use: 'sig' },
  ];
}

// The same argon2id cost as Latchkey; devInteractions would accept any password.
const passwordHash = await hash(options.password, ARGON2_PARAMS);
const accountOf = (username: string): string | undefined => {
  if (!username.startsWith(options.userPrefix)) return undefined;
  const n = Number(username.slice(options.userPrefix.length));
  return Number.isInteger(n) && n >= 0 && n < options.users ? username : undefined;
};

const DAY = 24 * 3600;
const configuration: Configuration = {
  clients: [
    {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: [options.redirectUri],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid offline_access api',
    },
    // The only kind of access token its introspection answers for is opaque: one without a resource.
    {
      client_id: 'bench-opaque',
      client_secret: options.clientSecret,
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
    },
  ],
  jwks: { keys: await signingKeys() },
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  scopes: ['openid', 'offline_access', 'api'],
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Any authenticated client of this server may introspect: the same rule as Latchkey's.
    introspection: { enabled: true, allowedPolicy: () => true },
    revocation: { enabled: true },
    // RFC 8707 + RFC 9068: JWT access tokens (ES256, as Latchkey's default) for one resource server.
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, client) => (client?.clientId === 'bench-opaque' ? undefined : options.resource),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: options.resource,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 900,
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: () => false,
  ttl: {
    AccessToken: 900,
    AuthorizationCode: 60,
    ClientCredentials: 900,
    IdToken: 3600,
    RefreshToken: 30 * DAY,
    Session: 14 * DAY,
    Grant: 14 * DAY,
    Interaction: 900,
  },
};

const provider = new Provider(issuer, configuration);
const callback = provider.callback();

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function page(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html><head><title>bench</title></head><body>${body}</body></html>`);
}

async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'interaction mismatch');
  const prompt = details.prompt.name;
  if (req.method === 'GET') {
    if (prompt === 'login') {
      return page(
        res,
        200,
        `<form method="post" action="/interaction/${uid}/login"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`,
      );
    }
    return page(
      res,
      200,
      `<form method="post" action="/interaction/${uid}/confirm"><input type="hidden" name="decision" value="allow"><button>Allow</button></form>`,
    );
  }
  const form = await readBody(req);
  if (action === '/login' && prompt === 'login') {
    const accountId = accountOf(form.get('username') ?? '');
    const ok = await verify(passwordHash, form.get('password') ?? '');
    if (!accountId || !ok) return page(res, 401, 'wrong username or password');
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  if (action === '/confirm' && prompt === 'consent') {
    const accountId = details.session?.accountId;
    const clientId = details.params.client_id;
    if (typeof accountId !== 'string' || typeof clientId !== 'string') return page(res, 400, 'no session');
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, 'unexpected interaction step');
}

const server = createServer((req, res) => {
  const m = /^\/interaction\/([\w-]+)(\/login|\/confirm)?$/.exec(req.url ?? '');
  if (!m?.[1]) {
    callback(req, res);
    return;
  }
  interaction(req, res, m[1], m[2]).catch((err: unknown) => {
    process.stderr.write(`oidc-provider interaction: ${(err as Error).stack ?? String(err)}\n`);
    if (!res.headersSent) page(res, 500, 'error');
    else res.end();
  });
});
server.keepAliveTimeout = 5_000;
server.listen(options.port, '127.0.0.1', () => process.send?.({ type: 'ready', url: issuer }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
