// The shapes every admin resource file shares: the route, the authenticated call, the dependencies.
import type { Deps } from '../deps.ts';
import type { Method } from '../http/router.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { AdminCaller } from './auth.ts';

/** What the admin API uses of the server. */
export type AdminDeps = Pick<Deps, 'config' | 'storage' | 'keys' | 'clock' | 'log' | 'verifiedTokens' | 'views'>;

/** One call, authenticated. */
export interface AdminCall {
  req: OAuthRequest;
  /** The `:name` segments of the route. */
  params: Record<string, string>;
  caller: AdminCaller;
  deps: AdminDeps;
  now: number;
}

export interface AdminRoute {
  method: Method;
  /** Below /admin/v1, with `:name` segments. */
  path: string;
  /** Needs `latchkey:admin`; otherwise `latchkey:admin:read` is enough. */
  write: boolean;
  handle(call: AdminCall): Promise<OAuthResponse>;
}
