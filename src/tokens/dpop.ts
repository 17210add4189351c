// RFC 9449 at this server: proofs at the token endpoint and UserInfo, their jti recorded once for
// every instance (§11.1, storage `used_jtis`), and optional server nonces (§8) that every instance
// can check without sharing state: an HMAC of the current five-minute window under the server secret.
import { createHmac } from 'node:crypto';
import type { Config } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import type { OAuthRequest } from '../http/types.ts';
import type { UsedJtiStore } from '../storage/types.ts';
import { DPOP_ALGS, DpopProofError, dpopHeaderValue, verifyDpopProof } from './dpop-proof.ts';
import { constantTimeEqual, hashToken } from './opaque.ts';

export interface DpopDeps {
  config: Pick<Config, 'issuer' | 'dpop'>;
  storage: { usedJtis: UsedJtiStore };
  clock: () => number;
  /** The server's derived secret (deps.cookieKey): nonces are MACs under it. */
  cookieKey: Buffer;
}

const NONCE_WINDOW = 300;

/** §8: the nonce of the current window; the previous window's stays valid too. */
export function dpopNonce(deps: Pick<DpopDeps, 'clock' | 'cookieKey'>, window = Math.floor(deps.clock() / NONCE_WINDOW)): string {
  return createHmac('sha256', deps.cookieKey).update(`dpop-nonce:${window}`).digest('base64url');
}

function nonceCheck(deps: DpopDeps): (nonce: string | undefined) => boolean {
  const window = Math.floor(deps.clock() / NONCE_WINDOW);
  return (nonce) => nonce !== undefined && [window, window - 1].some((w) => constantTimeEqual(nonce, dpopNonce(deps, w)));
}

/** The WWW-Authenticate challenge of a protected resource of this server (§7.1). */
export function dpopChallenge(error?: string, description?: string): string {
  const parts = [`algs="${DPOP_ALGS.join(' ')}"`];
  if (error) parts.unshift(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  return `DPoP ${parts.join(', ')}`;
}

export interface ProofOptions {
  /** The access token presented with the proof (UserInfo): its hash must be the proof's `ath`. */
  accessToken?: string;
  /** Whether server nonces apply here (the token endpoint, when `dpop.nonce` is on). */
  nonce?: boolean;
  /** How a refusal is answered: 400 at the token endpoint (§5), 401 with a challenge at a resource (§7.1). */
  resource?: boolean;
}

/**
 * The JWK thumbprint of the request's valid DPoP proof, or undefined when it has none. The proof's jti
 * is recorded until the proof leaves the iat window, so that a replay on any instance is refused.
 */
export async function requestDpopKey(req: OAuthRequest, options: ProofOptions, deps: DpopDeps): Promise<string | undefined> {
  const refuse = (code: 'invalid_dpop_proof' | 'use_dpop_nonce', description: string) => {
    const headers: Record<string, string> = {};
    if (code === 'use_dpop_nonce') headers['dpop-nonce'] = dpopNonce(deps);
    if (options.resource) headers['www-authenticate'] = dpopChallenge(code, description);
    return new OAuthError(code, description, { headers, ...(options.resource ? { status: 401 } : {}) });
  };
  try {
    const proof = dpopHeaderValue(req.headers.dpop);
    if (proof === undefined) return undefined;
    const now = deps.clock();
    const window = deps.config.dpop.iatWindow;
    const verified = await verifyDpopProof(proof, {
      method: req.method,
      url: `${deps.config.issuer}${req.path}`,
      now,
      iatWindow: window,
      ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
      ...(options.nonce ? { nonce: nonceCheck(deps) } : {}),
    });
    // §11.1: a proof is used once; its jti is kept as long as its iat is acceptable.
    const key = `dpop:${verified.jkt}:${hashToken(verified.jti)}`;
    if (!(await deps.storage.usedJtis.use(key, verified.iat + window + 1)))
      throw new DpopProofError('invalid', 'the DPoP proof was used before');
    return verified.jkt;
  } catch (e) {
    if (e instanceof DpopProofError) throw refuse(e.reason === 'nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof', e.message);
    throw e;
  }
}
