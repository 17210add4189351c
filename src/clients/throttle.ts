// RFC 6749 §2.3 and §10.10 with brute-force accounting: client authentication, whose failures are
// counted per client_id and address and per address (accounts/brute-force.ts) but never refused.
import { setTimeout as sleep } from 'node:timers/promises';
import { clientDimensions, recordClientFailure } from '../accounts/brute-force.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import type { OAuthRequest } from '../http/types.ts';
import { type AuthenticatedClient, authenticateClient, claimedClientId } from './authenticate.ts';

/**
 * authenticateClient with failures accounted for. A client presenting correct credentials is
 * always authenticated, whatever failed before at its address or under its id (RFC 6749 §10.10
 * asks for secrets that cannot be guessed, which generated ones are, not for lock-outs). A failure
 * is counted, logged as `client.auth_failure`, and its answer alone is held for a growing, bounded
 * delay that slows a guesser down.
 */
export async function authenticateClientThrottled(
  req: OAuthRequest,
  params: Record<string, string>,
  deps: Pick<Deps, 'config' | 'storage' | 'clock' | 'log' | 'clientKeys'>,
): Promise<AuthenticatedClient> {
  const { config, storage, clock, log } = deps;
  try {
    return await authenticateClient(req, params, {
      clients: storage.clients,
      usedJtis: storage.usedJtis,
      clientKeys: deps.clientKeys,
      issuer: config.issuer,
      clock,
    });
  } catch (e) {
    if (e instanceof OAuthError && e.code === 'invalid_client') {
      const clientId = claimedClientId(req, params, config.issuer);
      const dims = clientDimensions(config, clientId, req.remoteAddress);
      const { failures, delayMs } = await recordClientFailure(storage.throttle, dims, config, clock());
      log.info(
        { event: 'client.auth_failure', client_id: clientId?.slice(0, 64), reason: e.detail, failures, delay_ms: delayMs },
        'client authentication failed',
      );
      if (delayMs > 0) await sleep(delayMs);
    }
    throw e;
  }
}
