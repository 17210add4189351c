// Admin API: signing keys (RFC 7517). Listing shows public parts only; rotating and importing go
// through tokens/rotate.ts, the private key sealed at rest (tokens/seal.ts) like every other.
import type { JWK } from 'jose';
import { OAuthError } from '../errors.ts';
import type { KeyRecord } from '../storage/types.ts';
import { SIGNING_ALGS } from '../tokens/algorithms.ts';
import type { SigningAlg } from '../tokens/keys.ts';
import { algsInUse, importKey, rotateKeys } from '../tokens/rotate.ts';
import { checked, readJson, reply } from './http.ts';
import type { AdminCall, AdminRoute } from './types.ts';

function keyJson(k: KeyRecord, now: number) {
  const status =
    k.retiresAt !== null && k.retiresAt <= now
      ? 'retired'
      : k.activatesAt > now
        ? 'published'
        : k.retiresAt !== null
          ? 'retiring'
          : 'active';
  return {
    kid: k.kid,
    alg: k.alg,
    status,
    created_at: k.createdAt,
    activates_at: k.activatesAt,
    retires_at: k.retiresAt,
    expires_at: k.expiresAt,
    public_jwk: JSON.parse(k.publicJwk) as JWK,
  };
}

function immediately(body: Record<string, unknown>): boolean {
  const v = body.immediately ?? false;
  if (typeof v !== 'boolean') throw new OAuthError('invalid_request', 'immediately must be true or false');
  return v;
}

async function changed(call: AdminCall, created: KeyRecord[]) {
  for (const k of created) {
    call.deps.log.info({ event: 'key.rotated', kid: k.kid, alg: k.alg, activates_at: k.activatesAt }, 'signing key rotated');
  }
  await call.deps.keys.reload();
  return reply(201, { items: created.map((k) => keyJson(k, call.now)), next_cursor: null });
}

export const keyRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/keys',
    write: false,
    async handle(call) {
      const keys = (await call.deps.storage.keys.list()).filter((k) => k.expiresAt === null || k.expiresAt > call.now);
      return reply(200, { items: keys.map((k) => keyJson(k, call.now)), next_cursor: null });
    },
  },
  {
    method: 'POST',
    path: '/keys/rotate',
    write: true,
    async handle(call) {
      const body = readJson(call.req);
      for (const k of Object.keys(body)) if (k !== 'immediately') throw new OAuthError('invalid_request', 'only immediately may be given');
      const { storage, config, keys } = call.deps;
      return changed(call, await rotateKeys(storage.keys, config, call.now, keys.sealer, { immediately: immediately(body), retry: true }));
    },
  },
  {
    method: 'POST',
    path: '/keys',
    write: true,
    async handle(call) {
      const body = readJson(call.req);
      for (const k of Object.keys(body)) {
        if (!['jwk', 'alg', 'immediately'].includes(k))
          throw new OAuthError('invalid_request', 'only jwk, alg and immediately may be given');
      }
      const jwk = body.jwk;
      if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw new OAuthError('invalid_request', 'jwk must be a private JWK');
      const alg = body.alg ?? (jwk as JWK).alg;
      if (!(SIGNING_ALGS as readonly unknown[]).includes(alg)) {
        throw new OAuthError('invalid_request', 'alg must be RS256, ES256 or EdDSA');
      }
      const { storage, config, keys } = call.deps;
      if (!algsInUse(config).includes(alg as SigningAlg)) {
        throw new OAuthError('invalid_request', 'this server does not sign with that alg (accessTokenAlg, idTokenAlg)');
      }
      const { kid: _kid, ...material } = jwk as JWK;
      const key = await checked(() =>
        importKey(storage.keys, config, call.now, keys.sealer, material, alg as SigningAlg, { immediately: immediately(body) }),
      );
      if (!key) throw new OAuthError('conflict', 'another rotation of this algorithm is under way: try again');
      return changed(call, [key]);
    },
  },
];
