// Operations endpoints: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics).
import type { Deps } from '../deps.ts';
import { json } from '../http/respond.ts';
import type { OAuthResponse } from '../http/types.ts';

/** Alive: the process answers HTTP. Touches nothing else, so a slow database never restarts it. */
export async function healthzEndpoint(): Promise<OAuthResponse> {
  return json(200, { status: 'ok' });
}

/** Ready: the database answers and a signing key is loaded for every configured algorithm. */
export async function readyzEndpoint(deps: Deps): Promise<OAuthResponse> {
  const checks: Record<string, 'ok' | 'failing'> = { database: 'ok', keys: 'ok' };
  try {
    await deps.storage.keys.list();
  } catch (err) {
    checks.database = 'failing';
    deps.log.warn({ event: 'readiness.failing', check: 'database', err }, 'database not reachable');
  }
  try {
    deps.keys.signing(deps.config.accessTokenAlg);
    deps.keys.signing(deps.config.idTokenAlg);
  } catch {
    checks.keys = 'failing';
  }
  const ready = Object.values(checks).every((c) => c === 'ok');
  return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
}

/** Prometheus text format 0.0.4. */
export async function metricsEndpoint(deps: Deps): Promise<OAuthResponse> {
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
    body: deps.metrics.registry.render(),
  };
}
