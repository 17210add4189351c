// ARCHITECTURE.md rule 3: what the composition root (server.ts) builds and passes down.
import type { Logger } from 'pino';
import type { Accounts } from './accounts/account.ts';
import type { ClientKeys } from './clients/client-keys.ts';
import type { Config } from './config/schema.ts';
import type { FactorViews } from './interaction/factor-views.ts';
import type { Views } from './interaction/views.ts';
import type { ServerMetrics } from './observability/audit.ts';
import type { Storage } from './storage/types.ts';
import type { ClaimsHook } from './tokens/claims.ts';
import type { Issuer } from './tokens/issuer.ts';
import type { KeyRing } from './tokens/keys.ts';
import type { VerifiedTokens } from './tokens/verify.ts';

export interface Deps {
  config: Config;
  /** HMAC key for the browser cookies the server issues (interaction/cookies.ts), derived from the secret. */
  cookieKey: Buffer;
  /** The stores; on the protocol paths a URL-shaped client_id that is not stored names its metadata document. */
  storage: Storage;
  /**
   * The same stores with only stored clients: the admin API manages records and never fetches a
   * client's metadata document (an unknown URL-shaped client_id is a 404 there).
   */
  adminStorage: Storage;
  /**
   * The stores of one request, when they log (a refused client metadata document is logged with the
   * request's id): the routes call it with the request's logger. Absent when they never log.
   */
  storageFor?: (log: Logger) => Storage;
  keys: KeyRing;
  issuer: Issuer;
  /** Epoch seconds. */
  clock: () => number;
  /** Request-scoped: each line carries the request id of the request being served. */
  log: Logger;
  metrics: ServerMetrics;
  /** The page templates, with the operator's stylesheet and replacements. */
  views: Views;
  /** The templates of the second-factor step and the account page, with the operator's stylesheet. */
  factorViews: FactorViews;
  /** Our access tokens already verified (signature and claims), until they expire. */
  verifiedTokens: VerifiedTokens;
  /** Where people are found and their passwords checked: ServerOptions.accounts, or the built-in users table. */
  accounts: Accounts;
  /** ServerOptions.claims: the application's extra token claims. */
  claimsHook?: ClaimsHook;
  /** The public keys of private_key_jwt clients (a registered `jwks`, or a `jwks_uri` fetched and cached). */
  clientKeys: ClientKeys;
}
