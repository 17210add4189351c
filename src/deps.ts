// DESIGN rule 3: what the composition root (server.ts) builds and passes down.
import type { Logger } from 'pino';
import type { Config } from './config/schema.ts';
import type { Storage } from './storage/types.ts';
import type { Issuer } from './tokens/issuer.ts';
import type { KeyRing } from './tokens/keys.ts';

export interface Deps {
  config: Config;
  storage: Storage;
  keys: KeyRing;
  issuer: Issuer;
  /** Epoch seconds. */
  clock: () => number;
  log: Logger;
}
