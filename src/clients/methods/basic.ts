// RFC 6749 §2.3.1 `client_secret_basic`: the id and secret in an RFC 7617 Basic header.
import { constantTimeEqual, hashToken } from '../../tokens/opaque.ts';
import { invalidClient } from './invalid-client.ts';
import type { ClientAuthenticator } from './types.ts';

/** RFC 7617 Basic credentials whose parts are form-urlencoded (RFC 6749 §2.3.1). */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header) return undefined;
  const m = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!m?.[1]) {
    if (/^basic\b/i.test(header)) throw invalidClient('malformed Basic authorization header');
    return undefined;
  }
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw invalidClient('Basic credentials without a colon');
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    if (!id) throw invalidClient('Basic credentials with an empty client id');
    return { id, secret };
  } catch (e) {
    if (e instanceof Error && e.name === 'OAuthError') throw e;
    throw invalidClient('Basic credentials that are not form-urlencoded');
  }
}

/** Constant-time comparison of the SHA-256 of the presented secret with the stored hash. */
export function checkSecret(secretHash: string | null, secret: string, clientId: string): void {
  if (!secretHash || !constantTimeEqual(hashToken(secret), secretHash)) throw invalidClient(`wrong secret for client ${clientId}`);
}

export const clientSecretBasic: ClientAuthenticator = {
  method: 'client_secret_basic',
  presented: ({ req }) => parseBasic(req.headers.authorization) !== undefined,
  clientId: ({ req }) => parseBasic(req.headers.authorization)?.id,
  async verify(client, { req }) {
    const basic = parseBasic(req.headers.authorization);
    checkSecret(client.secretHash, basic?.secret ?? '', client.clientId);
  },
};
