// RFC 7591 §3 (dynamic client registration) and RFC 7592 §2 (reading, updating and deleting a
// registration with its registration access token). Off unless `registration.enabled`.
import { ipBucket, throttleKey } from '../accounts/brute-force.ts';
import { deleteClient } from '../clients/lifecycle.ts';
import { buildClient } from '../clients/register.ts';
import { credentialKind } from '../clients/registration-keys.ts';
import { registeredMetadata, registrationToClient } from '../clients/registration-metadata.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { ClientRecord } from '../storage/types.ts';
import { constantTimeEqual, hashToken, randomToken } from '../tokens/opaque.ts';

export type RegistrationDeps = Pick<Deps, 'config' | 'storage' | 'clock' | 'log'>;

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

function bearer(req: OAuthRequest): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const m = BEARER.exec(header);
  if (!m?.[1]) throw new OAuthError('invalid_request', 'the Authorization header is not a Bearer token');
  return m[1];
}

function enabled(deps: RegistrationDeps): void {
  if (!deps.config.registration.enabled) throw new OAuthError('not_found', 'dynamic client registration is not enabled');
}

function jsonBody(req: OAuthRequest): unknown {
  // RFC 7591 §3.1: the metadata is sent as a JSON document.
  if (req.contentType !== 'application/json' || req.json === undefined) {
    throw new OAuthError('invalid_request', 'send the client metadata as application/json');
  }
  return req.json;
}

/** Registrations one address may make per minute, counted in the database (as authorization/limit.ts). */
async function admit(req: OAuthRequest, deps: RegistrationDeps): Promise<void> {
  const now = deps.clock();
  const minute = Math.floor(now / 60);
  const key = throttleKey('registrations', ipBucket(req.remoteAddress), String(minute));
  const { failures: made } = await deps.storage.throttle.fail(key, now, 120);
  if (made <= deps.config.registration.perMinute) return;
  throw new OAuthError('temporarily_unavailable', 'too many registrations from this address; try again later', {
    status: 429,
    headers: { 'retry-after': String((minute + 1) * 60 - now) },
  });
}

const registrationUri = (deps: RegistrationDeps, clientId: string) => `${deps.config.issuer}/register/${encodeURIComponent(clientId)}`;

/** POST /register (RFC 7591 §3.1): validates the metadata and creates a client with its registration access token. */
export async function registerEndpoint(req: OAuthRequest, deps: RegistrationDeps): Promise<OAuthResponse> {
  enabled(deps);
  const initial = deps.config.registration.initialAccessToken;
  if (initial !== undefined) {
    // RFC 7591 §3: with an initial access token required, a request without it (or with another) is refused.
    const token = bearer(req);
    if (token === undefined || !constantTimeEqual(token, initial)) {
      throw new OAuthError('invalid_token', 'a valid initial access token is required to register');
    }
  }
  const input = registrationToClient(jsonBody(req), deps.config.supportedScopes, deps.config.outboundFetch);
  await admit(req, deps);
  const now = deps.clock();
  const { record, secret } = buildClient(input, deps.config.supportedScopes, now);
  const accessToken = randomToken();
  await deps.storage.registrations.create(record, {
    clientId: record.clientId,
    tokenHash: hashToken(accessToken),
    createdAt: now,
    unusedUntil: now + deps.config.registration.unusedClientSeconds,
  });
  deps.log.info(
    { event: 'client.registered', client_id: record.clientId, auth_method: record.tokenEndpointAuthMethod },
    'client registered',
  );
  return json(201, response(record, secret, accessToken, deps));
}

function response(client: ClientRecord, secret: string | null, accessToken: string | null, deps: RegistrationDeps) {
  const out: Record<string, unknown> = { ...registeredMetadata(client), registration_client_uri: registrationUri(deps, client.clientId) };
  if (accessToken !== null) out.registration_access_token = accessToken;
  // RFC 7591 §3.2.1: client_secret_expires_at is REQUIRED with a secret; 0 means it does not expire.
  if (secret !== null) Object.assign(out, { client_secret: secret, client_secret_expires_at: 0 });
  return out;
}

/**
 * RFC 7592 §2: the client configuration endpoint. An unknown client, a client not registered
 * dynamically and a wrong token all get 401 invalid_token (§2.1-§2.3).
 */
async function authorized(req: OAuthRequest, deps: RegistrationDeps): Promise<ClientRecord> {
  enabled(deps);
  const token = bearer(req);
  const refused = new OAuthError('invalid_token', 'the registration access token is invalid', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
  if (token === undefined) throw refused;
  const clientId = req.pathParam ?? '';
  const registration = await deps.storage.registrations.get(clientId);
  if (!registration || !constantTimeEqual(hashToken(token), registration.tokenHash)) throw refused;
  const client = await deps.storage.clients.get(clientId);
  if (!client) throw refused;
  return client;
}

/** GET /register/:client_id (RFC 7592 §2.1). */
export async function readRegistration(req: OAuthRequest, deps: RegistrationDeps): Promise<OAuthResponse> {
  const client = await authorized(req, deps);
  return json(200, response(client, null, null, deps));
}

/**
 * PUT /register/:client_id (RFC 7592 §2.2): the new metadata replaces the old; `client_id` must be
 * the client's, and a `client_secret` sent must be its current one. The secret is kept.
 */
export async function updateRegistration(req: OAuthRequest, deps: RegistrationDeps): Promise<OAuthResponse> {
  const client = await authorized(req, deps);
  const body = jsonBody(req) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || body.client_id !== client.clientId) {
    throw new OAuthError('invalid_request', 'client_id must be the client being updated');
  }
  if (body.client_secret !== undefined && (typeof body.client_secret !== 'string' || client.secretHash !== hashToken(body.client_secret))) {
    throw new OAuthError('invalid_request', 'client_secret does not match');
  }
  const input = registrationToClient(body, deps.config.supportedScopes, deps.config.outboundFetch);
  if ((input.tokenEndpointAuthMethod === 'none') !== (client.tokenEndpointAuthMethod === 'none')) {
    throw new OAuthError('invalid_client_metadata', 'a client cannot change between public and confidential');
  }
  // The secret is kept as issued: a client without one cannot turn to a secret method, nor one with one to keys.
  if (credentialKind(input.tokenEndpointAuthMethod ?? 'client_secret_basic') !== credentialKind(client.tokenEndpointAuthMethod)) {
    throw new OAuthError('invalid_client_metadata', 'a client cannot change between a client secret and private_key_jwt');
  }
  const { record } = buildClient({ ...input, clientId: client.clientId }, deps.config.supportedScopes, client.createdAt);
  const updated: ClientRecord = { ...record, secretHash: client.secretHash, disabledAt: client.disabledAt };
  await deps.storage.clients.update(updated);
  deps.log.info({ event: 'client.registration_updated', client_id: client.clientId }, 'registered client updated');
  return json(200, response(updated, null, null, deps));
}

/** DELETE /register/:client_id (RFC 7592 §2.3): the client, its grants and its tokens are gone. */
export async function deleteRegistration(req: OAuthRequest, deps: RegistrationDeps): Promise<OAuthResponse> {
  const client = await authorized(req, deps);
  await deleteClient(deps.storage, client.clientId, deps.clock());
  await deps.storage.registrations.delete(client.clientId);
  deps.log.info({ event: 'client.registration_deleted', client_id: client.clientId }, 'registered client deleted');
  return { status: 204, headers: { 'cache-control': 'no-store' } };
}
