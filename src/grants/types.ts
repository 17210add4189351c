// The shape of a grant (RFC 6749 §4: one handler per grant_type), and the slices of the server a
// grant may use — so that a grant is called and tested without sockets or the whole server.

import type { Accounts } from '../accounts/account.ts';
import type { ClientKeys } from '../clients/client-keys.ts';
import type { Config } from '../config/schema.ts';
import type { Log } from '../log.ts';
import type { ClientRecord, Storage } from '../storage/types.ts';
import type { ClaimsHook } from '../tokens/claims.ts';
import type { Issuer, TokenResponse } from '../tokens/issuer.ts';
import type { KeyRing } from '../tokens/keys.ts';
import type { VerifiedTokens } from '../tokens/verify.ts';

export interface GrantContext {
  /** Only the parameters the grant declared (`Grant.params`); RFC 6749 §3.2 ignores the rest. */
  params: Record<string, string>;
  /** RFC 8707 `resource` parameters of the token request (may repeat). */
  resources: string[];
  /** The authenticated client (endpoints/client-request.ts). */
  client: ClientRecord;
  /** RFC 9449 §5: the JWK thumbprint of the request's DPoP proof; null for bearer tokens. */
  dpopJkt?: string | null;
}

export interface GrantDeps {
  config: Config;
  storage: Pick<Storage, 'codes' | 'grants' | 'refreshTokens' | 'deviceCodes' | 'revokedTokens' | 'clients'>;
  issuer: Issuer;
  /** Verifying our own access tokens (RFC 8693: the subject and actor tokens of an exchange). */
  keys: Pick<KeyRing, 'resolve'>;
  verifiedTokens: VerifiedTokens;
  /** The keys of other issuers whose tokens are exchanged (RFC 8693), cached as client keys are. */
  clientKeys: Pick<ClientKeys, 'resolve'>;
  /** Epoch seconds. */
  clock: () => number;
  log: Log;
  /** Where the person behind a grant is found, for the claims of their tokens (default: none looked up). */
  accounts?: Pick<Accounts, 'findAccount'>;
  /** The application's extra claims (ServerOptions.claims). */
  claimsHook?: ClaimsHook | undefined;
}

export interface Grant {
  /** The request parameters the grant reads, besides `grant_type`, `resource` and client authentication. */
  readonly params: readonly string[];
  handle(ctx: GrantContext, deps: GrantDeps): Promise<TokenResponse>;
}
