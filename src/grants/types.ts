// The shape of a grant handler (RFC 6749 §4: one handler per grant_type).
import type { Deps } from '../deps.ts';
import type { ClientRecord } from '../storage/types.ts';
import type { TokenResponse } from '../tokens/issuer.ts';

export interface GrantContext {
  params: Record<string, string>;
  /** RFC 8707 `resource` parameters of the token request (may repeat). */
  resources: string[];
  client: ClientRecord;
}

export type GrantHandler = (ctx: GrantContext, deps: Deps) => Promise<TokenResponse>;
