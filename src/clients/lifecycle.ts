// The life of a client after it is registered: changing its metadata, disabling, enabling, deleting,
// a new secret. Used by the CLI; written against the stores only, so an admin HTTP API can reuse it.
import type { EndedAccess } from '../accounts/lifecycle.ts';
import type { ClientRecord, Storage } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { clientMetadata, type NewClient } from './register.ts';

export async function findClient(storage: Pick<Storage, 'clients'>, clientId: string): Promise<ClientRecord> {
  const client = await storage.clients.get(clientId);
  if (!client) throw new Error(`no client ${clientId}`);
  return client;
}

async function save(storage: Pick<Storage, 'clients'>, client: ClientRecord): Promise<ClientRecord> {
  if (!(await storage.clients.update(client))) throw new Error(`the client ${client.clientId} no longer exists`);
  return client;
}

/** Revokes every grant of the client at once: its refresh tokens are refused, its access tokens inactive. */
export function endClientAccess(storage: Pick<Storage, 'revokeAccess'>, clientId: string, now: number): Promise<EndedAccess> {
  return storage.revokeAccess({ clientId }, now);
}

/** The metadata that may change; a list given replaces the registered one. */
export type ClientChanges = {
  [K in
    | 'name'
    | 'redirectUris'
    | 'postLogoutRedirectUris'
    | 'grantTypes'
    | 'resources'
    | 'scope'
    | 'refreshTokenTtl'
    | 'refreshTokenIdleTtl'
    | 'jwks'
    | 'jwksUri'
    | 'requirePushedAuthorizationRequests'
    | 'dpopBoundAccessTokens'
    | 'backchannelLogoutUri'
    | 'backchannelLogoutSessionRequired']?: NewClient[K] | undefined;
};

/** The changes actually given, as NewClient fields. */
export function definedOnly(changes: ClientChanges): Partial<NewClient> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<NewClient>;
}

/** Validates the changed metadata as a new registration would be, and stores it. Grants already given stay. */
export async function updateClient(
  storage: Storage,
  clientId: string,
  changes: ClientChanges,
  supportedScopes: readonly string[],
): Promise<ClientRecord> {
  const c = await findClient(storage, clientId);
  const defined = definedOnly(changes);
  // New keys make the client a private_key_jwt client; keys replace keys (jwks or jwks_uri, not both).
  const newKeys = defined.jwks !== undefined || defined.jwksUri !== undefined;
  const keys = newKeys ? {} : { ...(c.jwks ? { jwks: c.jwks } : {}), ...(c.jwksUri ? { jwksUri: c.jwksUri } : {}) };
  const metadata = clientMetadata(
    {
      name: c.name,
      redirectUris: c.redirectUris,
      postLogoutRedirectUris: c.postLogoutRedirectUris,
      grantTypes: c.grantTypes,
      tokenEndpointAuthMethod: newKeys ? 'private_key_jwt' : c.tokenEndpointAuthMethod,
      resources: c.resources,
      ...keys,
      requirePushedAuthorizationRequests: c.requirePushedAuthorizationRequests ?? false,
      dpopBoundAccessTokens: c.dpopBoundAccessTokens ?? false,
      backchannelLogoutUri: c.backchannelLogoutUri ?? null,
      backchannelLogoutSessionRequired: c.backchannelLogoutSessionRequired ?? false,
      scope: c.scope,
      ...(c.refreshTokenTtl !== null ? { refreshTokenTtl: c.refreshTokenTtl } : {}),
      ...(c.refreshTokenIdleTtl !== null ? { refreshTokenIdleTtl: c.refreshTokenIdleTtl } : {}),
      ...defined,
    },
    supportedScopes,
  );
  // A client that now signs its requests keeps no secret.
  const secretHash = metadata.tokenEndpointAuthMethod === 'private_key_jwt' ? null : c.secretHash;
  return save(storage, { ...c, ...metadata, secretHash });
}

/** Makes every sign-in for the client need a second factor (or not). */
export async function setRequireMfa(storage: Storage, clientId: string, required: boolean): Promise<ClientRecord> {
  const found = await findClient(storage, clientId);
  const { requireMfa: _, ...rest } = found;
  return save(storage, required ? { ...rest, requireMfa: true } : rest);
}

/** Disables the client and revokes its grants; it is refused at /authorize and the token endpoint. */
export async function disableClient(
  storage: Storage,
  clientId: string,
  now: number,
): Promise<{ client: ClientRecord; ended: EndedAccess }> {
  const found = await findClient(storage, clientId);
  // Disabled first: no new grant can be made for it once the revocation has run.
  const client = found.disabledAt === null ? await save(storage, { ...found, disabledAt: now }) : found;
  return { client, ended: await endClientAccess(storage, client.clientId, now) };
}

export async function enableClient(storage: Storage, clientId: string): Promise<ClientRecord> {
  const client = await findClient(storage, clientId);
  return client.disabledAt === null ? client : save(storage, { ...client, disabledAt: null });
}

/** Revokes the client's grants, then deletes it and the consents given to it. */
export async function deleteClient(storage: Storage, clientId: string, now: number): Promise<{ client: ClientRecord; ended: EndedAccess }> {
  const client = await findClient(storage, clientId);
  const ended = await endClientAccess(storage, clientId, now);
  await storage.clients.delete(clientId);
  return { client, ended };
}

/** A new secret (shown once); the old one stops working at once. Grants stay: they are bound to the client, not the secret. */
export async function rotateClientSecret(storage: Storage, clientId: string): Promise<{ client: ClientRecord; secret: string }> {
  const found = await findClient(storage, clientId);
  if (found.tokenEndpointAuthMethod === 'none') throw new Error(`client ${clientId} is public: it has no secret`);
  if (found.tokenEndpointAuthMethod === 'private_key_jwt') {
    throw new Error(
      `client ${clientId} authenticates with private_key_jwt: it has keys, not a secret (change them with clients update --jwks-file or --jwks-uri)`,
    );
  }
  const secret = randomToken();
  return { client: await save(storage, { ...found, secretHash: hashToken(secret) }), secret };
}
