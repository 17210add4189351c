// Structured JSON logs; secrets are redacted by path and never logged by the code in the first place.
import { type Logger, pino } from 'pino';
import type { Config } from './config/schema.ts';

/** What the code below the composition root logs through (a pino logger, or a child of one). */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export function createLogger(level: Config['logLevel'], destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'latchkey' },
      redact: {
        paths: [
          'password',
          'client_secret',
          'code',
          'code_verifier',
          'refresh_token',
          'access_token',
          'id_token',
          '*.password',
          '*.client_secret',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
