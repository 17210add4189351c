// RFC 8414 §3, RFC 7517 §5, RFC 7662 §2: a stand-in authorization server on 127.0.0.1 for the unit tests.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK } from 'jose';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const AUDIENCE = 'https://api.example.test';

export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: 'ES256' | 'RS256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface IntrospectionCall {
  authorization: string | undefined;
  contentType: string | undefined;
  body: URLSearchParams;
}

export interface StubServer {
  issuer: string;
  jwksUri: string;
  introspectionEndpoint: string;
  counts: { oauthMetadata: number; openidMetadata: number; jwks: number; introspection: number };
  /** Public keys served at the JWKS endpoint; change it to rotate. */
  keys: JWK[];
  /** HTTP status of the JWKS endpoint. */
  jwksStatus: number;
  /** Which metadata documents exist. */
  metadata: { oauth: boolean; openid: boolean; issuer?: string };
  /** Introspection answers by token; unknown tokens are inactive. */
  activeTokens: Map<string, Record<string, unknown>>;
  introspectionStatus: number;
  introspectionCalls: IntrospectionCall[];
  close(): Promise<void>;
}

export async function startStubServer(): Promise<StubServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const document = {
        issuer: stub.metadata.issuer ?? stub.issuer,
        jwks_uri: stub.jwksUri,
        introspection_endpoint: stub.introspectionEndpoint,
      };
      switch (`${req.method} ${req.url}`) {
        case 'GET /.well-known/oauth-authorization-server':
          stub.counts.oauthMetadata++;
          return stub.metadata.oauth ? json(200, document) : json(404, {});
        case 'GET /.well-known/openid-configuration':
          stub.counts.openidMetadata++;
          return stub.metadata.openid ? json(200, document) : json(404, {});
        case 'GET /jwks':
          stub.counts.jwks++;
          return json(stub.jwksStatus, { keys: stub.keys });
        case 'POST /introspect': {
          stub.counts.introspection++;
          const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          stub.introspectionCalls.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
          if (stub.introspectionStatus !== 200) return json(stub.introspectionStatus, { error: 'server_error' });
          const active = stub.activeTokens.get(body.get('token') ?? '');
          return json(200, active === undefined ? { active: false } : { active: true, ...active });
        }
        default:
          return json(404, {});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const stub: StubServer = {
    issuer,
    jwksUri: `${issuer}/jwks`,
    introspectionEndpoint: `${issuer}/introspect`,
    counts: { oauthMetadata: 0, openidMetadata: 0, jwks: 0, introspection: 0 },
    keys: [],
    jwksStatus: 200,
    metadata: { oauth: true, openid: false },
    activeTokens: new Map(),
    introspectionStatus: 200,
    introspectionCalls: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return stub;
}

export interface TokenOverrides {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** Signs an RFC 9068 access token; `overrides` replace or (with `undefined`) remove claims and header parameters. */
export async function signAccessToken(key: SigningKey, issuer: string, overrides: TokenOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    sub: 'user-1',
    aud: AUDIENCE,
    client_id: 'client-1',
    scope: 'read write',
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    ...overrides.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...overrides.header } as { alg: string })
    .sign(key.privateKey);
}

/** base64url of a JSON value, for tokens crafted by hand. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
