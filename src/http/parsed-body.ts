// Latchkey mounted behind a body parser (Express's `express.urlencoded()`, `express.text()`, …):
// the stream was read already, so the body is taken from `req.body` as that parser left it.
import type { IncomingMessage } from 'node:http';
import { OAuthError } from '../errors.ts';

/** What a request may carry once a body parser ran before us. */
type ParsedRequest = IncomingMessage & { body?: unknown };

/**
 * The body of a request whose stream another middleware consumed, as form text; undefined when the
 * stream is still ours to read. A consumed stream without a usable `req.body` is refused at once,
 * naming the cause (it would otherwise wait for a body that never comes).
 */
export function alreadyReadBody(req: ParsedRequest): Buffer | undefined {
  if (!req.readableEnded) return undefined;
  const body = req.body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body && typeof body === 'object' && Object.getPrototypeOf(body) !== Array.prototype) {
    // The urlencoded parser's object: repeated names arrive as arrays, and are refused later
    // exactly as in a body we read ourselves (RFC 6749 §3.1: parameters MUST NOT repeat).
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== 'string')
          throw consumed('a body parser turned the form into nested values: use express.urlencoded({ extended: false })');
        form.append(name, v);
      }
    }
    return Buffer.from(form.toString(), 'utf8');
  }
  if (body === undefined && Number(req.headers['content-length'] ?? 0) === 0 && req.headers['transfer-encoding'] === undefined) {
    return Buffer.alloc(0);
  }
  throw consumed('another middleware read the request body: mount Latchkey before body parsers');
}

/** The description names the cause: it is the developer who mounts the server that reads it. */
function consumed(cause: string): OAuthError {
  return new OAuthError('invalid_request', `the request body was already read: ${cause}`);
}
