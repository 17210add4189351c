// Structured JSON logs; secrets are redacted by path and never logged by the code in the first place.
import { type Logger as PinoLogger, pino } from 'pino';
import type { Config } from './config/schema.ts';

/** What the code below the composition root logs through (a pino logger, or a child of one). */
export type Log = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * The logger an embedding application may give Latchkey (`ServerOptions.logger`): the subset of
 * pino's API that the server calls. A pino logger fits as it is; for another library, pass an object
 * with these five methods. Each call gets an object of fields first (with `event` set on audit
 * events) and then an optional message.
 *
 * @example
 * ```ts
 * import type { Logger } from 'latchkey';
 *
 * const consoleLogger: Logger = {
 *   error: (fields, message) => console.error(message, fields),
 *   warn: (fields, message) => console.warn(message, fields),
 *   info: (fields, message) => console.info(message, fields),
 *   debug: () => {},
 *   child: () => consoleLogger,
 * };
 * ```
 */
export interface Logger {
  error(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  debug(fields: object, message?: string): void;
  /** A logger that adds `bindings` to every line (the server binds a `request_id` per request). */
  child(bindings: Record<string, unknown>): Logger;
}

/** Fields never written as they are, at the top of a line (pino's redaction, compiled once). */
const SECRET_FIELDS = ['password', 'client_secret', 'code', 'code_verifier', 'refresh_token', 'access_token', 'id_token'];
/** Fields never written as they are one level down, in any object of a line. */
const NESTED_SECRET_FIELDS = ['password', 'client_secret'];
const CENSOR = '[redacted]';

/**
 * `password` and `client_secret` inside any object of a line, replaced in a copy. It does the work
 * of pino's `*.password` wildcard paths, which cost more than the rest of a line's formatting.
 */
export function redactNested(fields: Record<string, unknown>): Record<string, unknown> {
  let out = fields;
  for (const key in fields) {
    const value = fields[key];
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Error) continue;
    const inner = value as Record<string, unknown>;
    if (!NESTED_SECRET_FIELDS.some((f) => f in inner)) continue;
    const copy: Record<string, unknown> = { ...inner };
    for (const f of NESTED_SECRET_FIELDS) if (f in copy) copy[f] = CENSOR;
    if (out === fields) out = { ...fields };
    out[key] = copy;
  }
  return out;
}

export function createLogger(level: Config['logLevel'], destination?: NodeJS.WritableStream): PinoLogger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      redact: { paths: SECRET_FIELDS, censor: CENSOR },
      formatters: { log: redactNested },
    },
    destination ?? stdoutDestination(),
  );
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/**
 * Standard output, written asynchronously: lines are appended to a buffer and written by the next
 * free write, so a busy server makes one write for many lines instead of a blocking write per line.
 * pino flushes what is left synchronously when the process exits. One destination is shared by
 * every logger of the process, so that lines never interleave.
 */
function stdoutDestination(): ReturnType<typeof pino.destination> {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}
