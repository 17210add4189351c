// Latchkey's public API (`latchkey`); the resource-server side is `latchkey/resource-server`, the page
// templates `latchkey/views`.
export { type Account, type Accounts, builtInAccounts } from './accounts/account.ts';
export { type NewClient, type RegisteredClient, registerClient } from './clients/register.ts';
export type { Config, ConfigInput } from './config/schema.ts';
export { ConfigError, resolveConfig } from './config/schema.ts';
export { OAuthError, type OAuthErrorCode } from './errors.ts';
export type { Logger } from './log.ts';
export { createAuthorizationServer, startServer } from './server.ts';
export type { AuthorizationServer, RunningServer, ServerOptions } from './server-types.ts';
export { openStorage } from './storage/open.ts';
export type { ClientAuthMethod, ClientJwks, GrantType, Storage } from './storage/types.ts';
export type { ClaimsContext, ClaimsHook } from './tokens/claims.ts';
