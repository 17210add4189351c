// draft-ietf-oauth-client-id-metadata-document-03 (Client ID Metadata Documents; MCP 2025-11-25
// "Client ID Metadata Documents"): a client_id that is an https URL names a JSON document, fetched
// from it, that describes the client. Such a client is public, or authenticates with private_key_jwt
// and the keys the document names; it is never stored: it is resolved here.
import { ExpiringCache } from '../cache.ts';
import type { Config } from '../config/schema.ts';
import { OAuthError } from '../errors.ts';
import { isLoopbackHost, SafeFetchError, safeFetch } from '../http/safe-fetch.ts';
import type { ClientRecord, ClientStore } from '../storage/types.ts';
import { buildClient, DEFAULT_CLIENT_SCOPE, type NewClient } from './register.ts';
import { registrationKeys } from './registration-keys.ts';

/** §4.2 / MCP: a client metadata document is small; a larger one is refused. */
export const MAX_DOCUMENT_BYTES = 5 * 1024;

/** Why a document was refused (the message is for the log and the developer, never secret). */
export class ClientMetadataDocumentError extends Error {
  override name = 'ClientMetadataDocumentError';
}

const refuse = (message: string): never => {
  throw new ClientMetadataDocumentError(message);
};

/**
 * Whether a client_id has the shape of a client metadata document URL (§3): https with a path, or
 * plain http to a loopback host, so that such an id is refused with its reason (see {@link documentUrlProblem}).
 */
export function isMetadataDocumentUrl(clientId: string): boolean {
  if (!/^https?:\/\//i.test(clientId)) return false;
  try {
    const u = new URL(clientId);
    return u.pathname !== '/' && (u.protocol === 'https:' || isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}

/**
 * draft-ietf-oauth-client-id-metadata-document-03, "Server Side Request Forgery (SSRF) Attacks" (§6.5
 * in -00): loopback may be fetched only by a server that is itself on loopback (development and
 * tests), decided here by the configured issuer's host.
 */
export function issuerOnLoopback(issuer: string): boolean {
  return isLoopbackHost(new URL(issuer).hostname);
}

/**
 * §3: the URL rules, checked before anything is fetched; the reason when refused. `loopback`: the
 * issuer is on loopback, so a document on loopback may be fetched, over plain http too (tests).
 */
export function documentUrlProblem(clientId: string, loopback: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(clientId);
  } catch {
    return 'the client_id is not a URL';
  }
  const onLoopback = isLoopbackHost(u.hostname);
  // SSRF section: loopback is special-use (RFC 6890); the development exception needs the issuer on loopback too.
  if (onLoopback && !loopback) return 'the client_id URL is on loopback, which is fetched only when the issuer is on loopback too';
  // §3: the client_id URL MUST use the https scheme (plain http only within that development exception).
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && onLoopback)) return 'the client_id URL must use https';
  // §3: it MUST contain a path component.
  if (u.pathname === '/' || u.pathname === '') return 'the client_id URL must have a path';
  // §3: it MUST NOT contain single-dot or double-dot path segments (checked on the text: URL removes them).
  if (/\/\.{1,2}(?:\/|$|\?)/.test(clientId.replace(/[?#].*$/, ''))) return 'the client_id URL must not contain . or .. path segments';
  // §3: it MUST NOT contain a fragment, a username or a password.
  if (clientId.includes('#')) return 'the client_id URL must not contain a fragment';
  if (u.username || u.password) return 'the client_id URL must not contain a username or password';
  return undefined;
}

/** The trust policy: any host, or only the configured host names and URL prefixes. */
function allowed(clientId: string, hosts: readonly string[] | undefined): boolean {
  if (hosts === undefined) return true;
  const host = new URL(clientId).hostname.toLowerCase();
  return hosts.some((h) => (h.includes('/') ? clientId.startsWith(h) : host === h.toLowerCase()));
}

/** Whether a client is known by its metadata document (the feature on, the client_id URL-shaped). */
export function isDocumentClient(clientId: string, config: Pick<Config, 'clientIdMetadataDocuments'>): boolean {
  return config.clientIdMetadataDocuments.enabled && isMetadataDocumentUrl(clientId);
}

const LOOPBACK_REDIRECT = /^http:\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?(?:[/?]|$)/i;

/**
 * MCP 2025-11-25 (Client ID Metadata Documents): the consent page MUST clearly display the redirect
 * URI host name; it also shows the client_id host, and whether the redirect URIs are loopback only.
 */
export function documentHosts(
  clientId: string,
  redirectUris: readonly string[],
  redirectUri: string,
): { clientHost: string; redirectHost: string; loopbackOnly: boolean } {
  const target = new URL(redirectUri);
  return {
    clientHost: new URL(clientId).host,
    // A private-use scheme (RFC 8252 §7.1) has no host: its scheme names the app.
    redirectHost: target.host || target.protocol.slice(0, -1),
    loopbackOnly: redirectUris.every((u) => LOOPBACK_REDIRECT.test(u)),
  };
}

/** Cache-Control max-age (seconds), clamped to the configured bounds; no-store and no-cache give the lower bound. */
export function cacheSeconds(cacheControl: string, min: number, max: number): number {
  const noCache = /(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/i.test(cacheControl);
  const m = /(?:^|[,\s])max-age=(\d+)/i.exec(cacheControl);
  const seconds = noCache || !m ? min : Number(m[1]);
  return Math.min(max, Math.max(min, seconds));
}

const SECRET_METHODS = /^client_secret_/;

/**
 * §4: the document's metadata as a client record (not stored), or a refusal: a public client, or one
 * that authenticates with `private_key_jwt` and the `jwks` or `jwks_uri` of the document.
 */
export function documentToClient(
  clientId: string,
  body: Buffer,
  supportedScopes: readonly string[],
  now: number,
  allowLoopback = false,
): ClientRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse('the document is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return refuse('the document is not a JSON object');
  const m = doc as Record<string, unknown>;
  // §4.1: the client_id property MUST match the URL of the document by simple string comparison.
  if (m.client_id !== clientId) return refuse("the document's client_id is not the URL it was fetched from");
  // §4.1: client_secret and client_secret_expires_at MUST NOT be used; no shared-secret method either.
  if (m.client_secret !== undefined || m.client_secret_expires_at !== undefined)
    return refuse('the document must not contain a client_secret');
  const method = m.token_endpoint_auth_method;
  if (method !== undefined && typeof method !== 'string') return refuse('token_endpoint_auth_method must be a string');
  if (typeof method === 'string' && SECRET_METHODS.test(method))
    return refuse(`token_endpoint_auth_method ${method} uses a shared secret, which §4.1 forbids`);
  // §4.1 leaves no shared secret: a client that authenticates does so with its keys (RFC 7523).
  if (method !== undefined && method !== 'none' && method !== 'private_key_jwt') {
    return refuse(`token_endpoint_auth_method must be none or private_key_jwt (got ${method})`);
  }
  const keyed = method === 'private_key_jwt';
  let keys: Pick<NewClient, 'jwks' | 'jwksUri'> = {};
  try {
    // The keys of a public client are not used, as before; a private_key_jwt client needs them (RFC 7591 §2).
    if (keyed) keys = registrationKeys(m, 'private_key_jwt', allowLoopback);
  } catch (e) {
    return refuse(e instanceof OAuthError ? e.description : (e as Error).message);
  }
  const uris = m.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === 'string')) {
    return refuse('redirect_uris must be a non-empty list of strings');
  }
  const name =
    typeof m.client_name === 'string' && m.client_name.trim() !== '' ? m.client_name.trim().slice(0, 100) : new URL(clientId).host;
  try {
    return buildClient(
      {
        clientId,
        name,
        public: !keyed,
        ...(keyed ? { tokenEndpointAuthMethod: 'private_key_jwt' as const, ...keys } : {}),
        redirectUris: uris as string[],
        grantTypes: ['authorization_code', 'refresh_token'],
        scope: DEFAULT_CLIENT_SCOPE,
      },
      supportedScopes,
      now,
    ).record;
  } catch (e) {
    return refuse((e as Error).message);
  }
}

export interface MetadataDocumentOptions {
  documents: Config['clientIdMetadataDocuments'];
  /**
   * The bounds of a fetch. Where the document itself may be is decided by the issuer, not by
   * `allowLoopback`; that setting applies to the `jwks_uri` a document names, like any client's.
   */
  fetch: Pick<Config['outboundFetch'], 'timeoutMs' | 'maxBytes' | 'allowLoopback'>;
  /** The configured issuer: a document on loopback is fetched only when it is on loopback too. */
  issuer: string;
  supportedScopes: readonly string[];
  /** Epoch seconds. */
  clock: () => number;
}

/** Fetches, checks and caches client metadata documents; errors are never cached. */
export class MetadataDocuments {
  readonly #cache = new ExpiringCache<string, ClientRecord>(1000);
  readonly #options: MetadataDocumentOptions;
  readonly #loopback: boolean;

  constructor(options: MetadataDocumentOptions) {
    this.#options = options;
    this.#loopback = issuerOnLoopback(options.issuer);
  }

  /** Whether this client_id is to be resolved as a document (the feature is on and the id is URL-shaped). */
  handles(clientId: string): boolean {
    return isDocumentClient(clientId, { clientIdMetadataDocuments: this.#options.documents });
  }

  /** The client a document URL names; throws a {@link ClientMetadataDocumentError} saying why not. */
  async resolve(clientId: string): Promise<ClientRecord> {
    const { documents, fetch, supportedScopes, clock } = this.#options;
    const now = clock();
    const hit = this.#cache.get(clientId, now);
    if (hit) return hit;
    const problem = documentUrlProblem(clientId, this.#loopback);
    if (problem) return refuse(problem);
    if (!allowed(clientId, documents.allowedHosts)) return refuse('the client_id host is not among clientIdMetadataDocuments.allowedHosts');
    let fetched: Awaited<ReturnType<typeof safeFetch>>;
    try {
      // SSRF section: MUST NOT fetch a special-use address (RFC 6890), checked on the address connected
      // to; loopback only when the issuer is on loopback. §5: no redirect, 200 only; bounded size and time.
      fetched = await safeFetch(clientId, {
        maxBytes: Math.min(MAX_DOCUMENT_BYTES, fetch.maxBytes),
        timeoutMs: fetch.timeoutMs,
        allowLoopback: this.#loopback,
      });
    } catch (e) {
      return refuse(e instanceof SafeFetchError ? `fetching the document: ${e.message}` : 'fetching the document failed');
    }
    const client = documentToClient(clientId, fetched.body, supportedScopes, now, fetch.allowLoopback);
    const ttl = cacheSeconds(fetched.cacheControl, documents.minCacheSeconds, documents.maxCacheSeconds);
    this.#cache.set(clientId, client, now + ttl);
    return client;
  }
}

/**
 * The client store with client metadata documents behind it: a stored client first, else the
 * document a URL-shaped client_id names (undefined when it cannot be used; `onRefused` says why).
 */
export function withMetadataDocuments(
  store: ClientStore,
  documents: MetadataDocuments,
  onRefused: (clientId: string, reason: string) => void,
): ClientStore {
  return {
    ...store,
    async get(clientId) {
      const stored = await store.get(clientId);
      if (stored || !documents.handles(clientId)) return stored;
      try {
        return await documents.resolve(clientId);
      } catch (e) {
        if (!(e instanceof ClientMetadataDocumentError)) throw e;
        onRefused(clientId, e.message);
        return undefined;
      }
    },
  };
}
