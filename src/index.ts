// Latchkey's public API.
export type { Config, ConfigInput } from './config/schema.ts';
export { ConfigError, resolveConfig } from './config/schema.ts';
export { OAuthError, type OAuthErrorCode } from './errors.ts';
export {
  type AuthorizationServer,
  createAuthorizationServer,
  type RunningServer,
  type ServerOptions,
  startServer,
} from './server.ts';
export { openStorage } from './storage/open.ts';
export type { Storage } from './storage/types.ts';
