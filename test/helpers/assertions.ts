// Client assertions (RFC 7523 §3) for tests: signed with jose, every claim overridable.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  kid: string;
}

export async function clientKey(alg = 'ES256', kid: string = randomUUID()): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, kid };
}

/** A signed assertion for `clientId` to `aud`; `claims` and `header` override the defaults. */
export async function assertion(
  key: ClientKey,
  clientId: string,
  aud: string | string[],
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud, jti: randomUUID(), iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg: String(key.publicJwk.alg), kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** An unsigned JWT (`alg: none`), as an attacker would send it. */
export function unsignedAssertion(clientId: string, aud: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ iss: clientId, sub: clientId, aud, jti: randomUUID(), exp: now + 60 })}.`;
}

/** A JWK Set served on 127.0.0.1, whose keys a test may change, counting the fetches. */
export interface JwksServer {
  url: string;
  keys: JWK[];
  fetches: number;
  /** When set, answered instead of the JWK Set. */
  answer?: { status: number; headers?: Record<string, string>; body?: string };
  close(): Promise<void>;
}

export async function jwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: JwksServer = {
    url: '',
    keys,
    fetches: 0,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer((_req, res) => {
    state.fetches++;
    if (state.answer) {
      res.writeHead(state.answer.status, state.answer.headers ?? {});
      res.end(state.answer.body ?? '');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return state;
}

/** A DPoP proof (RFC 9449 §4.2) with the public key in its header; `claims` and `header` override. */
export async function dpopProof(key: ClientKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const { kid: _kid, use: _use, ...jwk } = key.publicJwk;
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: String(key.publicJwk.alg), typ: 'dpop+jwt', jwk, ...header })
    .sign(key.privateKey);
}
