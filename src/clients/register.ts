// RFC 7591 §2: creating a client record (used by the CLI and the demo set-up).
import type { ClientAuthMethod, ClientRecord, GrantType } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { redirectUriProblem } from './redirect-uri.ts';

export interface NewClient {
  name: string;
  redirectUris: string[];
  public?: boolean;
  scope?: string;
  grantTypes?: GrantType[];
  tokenEndpointAuthMethod?: ClientAuthMethod;
  clientId?: string;
  clientSecret?: string;
}

/** Validates the metadata and returns the record and, for a confidential client, its secret (shown once). */
export function buildClient(
  input: NewClient,
  supportedScopes: readonly string[],
  now: number,
): {
  record: ClientRecord;
  secret: string | null;
} {
  if (!input.name.trim()) throw new Error('a client needs a name');
  if (input.redirectUris.length === 0) throw new Error('a client needs at least one redirect URI');
  for (const uri of input.redirectUris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new Error(`redirect URI "${uri}" ${problem}`);
  }
  const scope = input.scope ?? 'openid profile email offline_access';
  for (const s of scope.split(' ').filter(Boolean)) {
    if (!supportedScopes.includes(s)) {
      throw new Error(`scope "${s}" is not supported: add it to the "scopes" configuration key first`);
    }
  }
  const method = input.tokenEndpointAuthMethod ?? (input.public ? 'none' : 'client_secret_basic');
  if (input.public && method !== 'none') throw new Error('a public client authenticates with "none"');
  const secret = method === 'none' ? null : (input.clientSecret ?? randomToken());
  return {
    record: {
      clientId: input.clientId ?? randomToken(16),
      secretHash: secret === null ? null : hashToken(secret),
      name: input.name.trim(),
      redirectUris: input.redirectUris,
      grantTypes: input.grantTypes ?? ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: method,
      scope: [...new Set(scope.split(' ').filter(Boolean))].join(' '),
      createdAt: now,
    },
    secret,
  };
}
