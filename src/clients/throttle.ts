// RFC 6749 §2.3 and §10.10 with brute-force protection: client authentication, rate limited per
// client_id and address and per address (accounts/brute-force.ts).
import { checkGate, clientDimensions, recordFailure } from '../accounts/brute-force.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import type { OAuthRequest } from '../http/types.ts';
import { type AuthenticatedClient, authenticateClient, parseBasic } from './authenticate.ts';

/**
 * authenticateClient behind the brute-force gate. A refused attempt is answered 429 with
 * Retry-After before any secret is compared; a failure is counted and logged as
 * `client.auth_failure`.
 */
export async function authenticateClientThrottled(
  req: OAuthRequest,
  params: Record<string, string>,
  deps: Pick<Deps, 'config' | 'storage' | 'clock' | 'log'>,
): Promise<AuthenticatedClient> {
  const { config, storage, clock, log } = deps;
  let clientId: string | undefined;
  try {
    clientId = parseBasic(req.headers.authorization)?.id ?? params.client_id;
  } catch {
    clientId = undefined;
  }
  const dims = clientDimensions(config, clientId, req.remoteAddress);
  const gate = await checkGate(storage.throttle, dims, clock());
  const shownId = clientId?.slice(0, 64);
  if (gate.retryAfter > 0) {
    log.warn(
      { event: 'client.throttled', client_id: shownId, limit: gate.refusedBy, retry_after: gate.retryAfter },
      'client authentication refused: too many failures',
    );
    throw new OAuthError('temporarily_unavailable', 'too many failed client authentications; retry later', {
      status: 429,
      headers: { 'retry-after': String(gate.retryAfter) },
    });
  }
  try {
    const result = await authenticateClient(req, params, storage.clients);
    // Only the client's own counter is cleared: the address's keeps counting other clients' failures.
    const own = dims.length > 1 ? dims[0]?.key : undefined;
    if (own && gate.counted.includes(own)) await storage.throttle.clear(own);
    return result;
  } catch (e) {
    if (e instanceof OAuthError && e.code === 'invalid_client') {
      const failures = await recordFailure(storage.throttle, dims, config, clock());
      log.info({ event: 'client.auth_failure', client_id: shownId, reason: e.detail, failures }, 'client authentication failed');
    }
    throw e;
  }
}
