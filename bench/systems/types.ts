// A system under test: a server process on 127.0.0.1 and what the load generators need to drive it.
import type { Target } from '../lib/flow.ts';

export type ScenarioId =
  | 'discovery'
  | 'jwks'
  | 'client_credentials'
  | 'introspection'
  | 'refresh_token'
  | 'refresh_token_no_id'
  | 'code_flow_returning'
  | 'code_flow_first';

export type SystemKind = 'latchkey' | 'oidc-provider' | 'ceiling';

export interface Sut {
  /** Root of the server's process tree, measured through /proc. */
  pid: number;
  /** Database server processes: their CPU time counts as the server's (an embedded SQLite's already does). */
  databasePids?: () => number[];
  target: Target;
  discoveryUrl: string;
  jwksUrl: string;
  /** Scenarios this system cannot run, with the reason printed in their row. */
  missing: Partial<Record<ScenarioId, string>>;
  /** Further server processes (a second instance): their CPU time and memory count as the server's. */
  extraPids?: () => number[];
  /** Where this server's measured windows are profiled, with --profile. */
  profileDir?: string;
  /** With several instances, the origin of each: the load is split across them. */
  origins?: string[];
  /** A client and secret for introspection, and how to get an active token to introspect. */
  introspection?: { clientId: string; clientSecret: string; token: () => Promise<string> };
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Users `${userPrefix}${i}` for i below `users`, all with `password`. */
  userPrefix: string;
  users: number;
  password: string;
  /** Profile the server's measured windows into this directory (see lib/profile-hook.mjs). */
  profileDir: string | undefined;
  /** Called on the seeded database before the server starts (the table-size runs pre-fill it). */
  prefill?: (db: string) => Promise<void>;
}

export interface SystemSpec {
  id: string;
  label: string;
  kind: SystemKind;
  /** Why the system cannot run here, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  start(options: StartOptions): Promise<Sut>;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const CLIENT_ID = 'bench-client';
export const CLIENT_SECRET = 'bench-secret-3q2+7w-9vFh1kRz0bW4xY8nL6cJ5tPa';
export const SCOPE = 'openid offline_access api';
export const SERVICE_SCOPE = 'api';
/** A code flow without `openid`: a refresh token, and no ID token on either server. */
export const NO_ID_SCOPE = 'offline_access api';

/** The bench's client at a server, with the endpoints it found or was given. */
export function benchTarget(
  base: string,
  endpoints: Pick<Target, 'authorizationEndpoint' | 'tokenEndpoint' | 'introspectionEndpoint'>,
): Target {
  return {
    base,
    ...endpoints,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    scope: SCOPE,
    serviceScope: SERVICE_SCOPE,
    extra: {},
  };
}
