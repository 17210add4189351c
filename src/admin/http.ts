// The admin API's HTTP conventions: JSON bodies in and out, cursor paging, ETag / If-Match (RFC 9110
// §8.8.3, §13.1.1) and plain Errors of the shared lifecycle functions turned into problem details.
import { createHash } from 'node:crypto';
import { OAuthError } from '../errors.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';

/** The JSON object a call sent; an empty body is an empty object. */
export function readJson(req: OAuthRequest): Record<string, unknown> {
  if (req.json === undefined) {
    if (req.body !== null && [...req.body.keys()].length > 0) throw new OAuthError('invalid_request', 'the body must be application/json');
    return {};
  }
  const value = req.json;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new OAuthError('invalid_request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Runs a lifecycle call; its one-line Error (a bad value, a taken name) becomes a 400 problem. */
export async function checked<T>(work: () => Promise<T>, status = 400): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof OAuthError || !(e instanceof Error)) throw e;
    throw new OAuthError(status === 409 ? 'conflict' : 'invalid_request', e.message, { status, destination: { to: 'problem' } });
  }
}

/** A 404 naming the kind of resource (a fixed word, never the id asked for). */
export function notFound(what: 'client' | 'user' | 'grant' | 'session'): OAuthError {
  const description = `no such ${what}`;
  return new OAuthError('not_found', description);
}

/** A strong validator of a representation (RFC 9110 §8.8.3). */
export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.1: with If-Match, the change is made only to the representation the caller saw. */
export function checkIfMatch(req: OAuthRequest, current: unknown): void {
  const header = req.headers['if-match'];
  if (header === undefined) return;
  if (header.trim() === '*') return;
  const tags = header.split(',').map((t) => t.trim());
  if (!tags.includes(etagOf(current))) {
    throw new OAuthError('precondition_failed', 'the resource changed since it was read (If-Match does not match its ETag)');
  }
}

/** A JSON answer; a resource's answer carries its ETag. */
export function reply(status: number, body: unknown, options: { etag?: boolean; location?: string } = {}): OAuthResponse {
  const headers: Record<string, string> = {};
  if (options.etag) headers.etag = etagOf(body);
  if (options.location) headers.location = options.location;
  return json(status, body, headers);
}

const MAX_LIMIT = 200;

/** `limit` (1-200, default 50) and `cursor` (opaque) of a listing. */
export function pageParams(req: OAuthRequest): { limit: number; after: string | undefined } {
  const rawLimit = req.query.get('limit');
  let limit = 50;
  if (rawLimit !== null) {
    if (!/^\d{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_LIMIT) {
      throw new OAuthError('invalid_request', 'limit must be a whole number from 1 to 200');
    }
    limit = Number(rawLimit);
  }
  const cursor = req.query.get('cursor');
  if (cursor === null) return { limit, after: undefined };
  const after = /^[\w-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!after) throw new OAuthError('invalid_request', 'cursor is not one this API gave');
  return { limit, after };
}

/**
 * One page of a listing: `fetch` is asked for one row more than `limit`, so that `next_cursor` is
 * given only when there is more.
 */
export async function paged<T>(
  req: OAuthRequest,
  fetch: (q: { limit: number; after: string | undefined }) => Promise<T[]>,
  keyOf: (row: T) => string,
  show: (row: T) => unknown,
): Promise<OAuthResponse> {
  const { limit, after } = pageParams(req);
  const rows = await fetch({ limit: limit + 1, after });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next = rows.length > limit && last !== undefined ? Buffer.from(keyOf(last), 'utf8').toString('base64url') : null;
  return reply(200, { items: items.map(show), next_cursor: next });
}
