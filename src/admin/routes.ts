// The admin API's route table and dispatcher: one resource per file, every call authenticated
// (auth.ts) and audited with the calling client. Answers are JSON, errors RFC 7807 problem details.
import { OAuthError } from '../errors.ts';
import { errorResponse } from '../http/errors.ts';
import { publicJson } from '../http/respond.ts';
import type { Endpoint } from '../http/router.ts';
import type { OAuthResponse } from '../http/types.ts';
import { auditRoutes } from './audit.ts';
import { authenticateAdmin } from './auth.ts';
import { clientRoutes } from './clients.ts';
import { grantRoutes } from './grants.ts';
import { keyRoutes } from './keys.ts';
import { openApiDocument } from './openapi.ts';
import { sessionRoutes } from './sessions.ts';
import type { AdminDeps, AdminRoute } from './types.ts';
import { userRoutes } from './users.ts';

export type { AdminCall, AdminDeps, AdminRoute } from './types.ts';

export const adminRoutes: readonly AdminRoute[] = [
  ...clientRoutes,
  ...userRoutes,
  ...sessionRoutes,
  ...grantRoutes,
  ...keyRoutes,
  ...auditRoutes,
];

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (!g) return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/** The endpoint mounted at /admin/v1 (the router passes the rest of the path as `pathParam`). */
export function adminEndpoint(shared: AdminDeps): Endpoint {
  const doc = JSON.stringify(openApiDocument(shared.config, adminRoutes));
  return async (req) => {
    // The request's own logger (its lines carry the request id).
    const deps = req.log ? { ...shared, log: req.log } : shared;
    const path = req.pathParam || '/';
    if (path === '/openapi.json' && (req.method === 'GET' || req.method === 'HEAD')) {
      return { ...publicJson(JSON.parse(doc), 300) };
    }
    const candidates = adminRoutes.map((r) => ({ r, params: match(r.path, path) })).filter((c) => c.params !== undefined);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const found = candidates.find((c) => c.r.method === method);
    if (!found?.params) {
      if (candidates.length === 0) throw new OAuthError('not_found', 'there is no such resource in the admin API');
      const allowed = [...new Set(candidates.map((c) => c.r.method))].join(', ');
      // RFC 9110 §15.5.6: a 405 lists the methods the resource supports.
      const message = `this resource answers only ${allowed}`;
      throw new OAuthError('method_not_allowed', message, { headers: { allow: allowed } });
    }
    const route = found.r;
    let clientId: string | null = null;
    let res: OAuthResponse;
    try {
      const caller = await authenticateAdmin(req, deps, route.write, (id) => {
        clientId = id;
      });
      res = await route.handle({ req, params: found.params, caller, deps, now: deps.clock() });
    } catch (err) {
      res = errorResponse(err, 'problem', deps.log, deps.views.error);
    }
    // Every call is an audit event naming the calling client (null when its token could not be read).
    deps.log.info(
      { event: 'admin.call', client_id: clientId, method, route: route.path, status: res.status, ...targetOf(found.params) },
      'admin call',
    );
    return res;
  };
}

/** The ids a call was about, as audit fields (`sub` for a person, `target_client_id` for a client). */
function targetOf(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (params.sub) out.sub = params.sub;
  if (params.client_id) out.target_client_id = params.client_id;
  if (params.grant_id) out.grant_id = params.grant_id;
  return out;
}
