// The key-encryption secret: from the configuration, from a file, or (embedded SQLite only) generated
// once into the data directory. It never enters the database.
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Config, ConfigError } from '../config/schema.ts';
import { makePrivateDirectory } from '../storage/sqlite/open.ts';
import { createSealer, type KeySealer } from './seal.ts';

/** Shortest secret accepted: HKDF adds no strength to a guessable secret. */
export const MIN_SECRET_LENGTH = 32;

/** The name of the secret file generated next to an SQLite database. */
export const SECRET_FILE_NAME = 'latchkey.secret';

/** The key-encryption secret and where it came from. */
export interface ResolvedSecret {
  secret: string;
  /** Where it came from, for the start-up log line (never the secret itself). */
  source: 'config' | 'file' | 'data-directory' | 'generated' | 'memory';
  path?: string;
}

/** A fresh secret: 256 random bits, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The secret file of an embedded database (`sqlite:PATH`), or undefined for PostgreSQL and `:memory:`. */
export function dataDirectorySecretPath(db: string): string | undefined {
  if (!db.startsWith('sqlite:')) return undefined;
  const path = db.slice('sqlite:'.length);
  if (path === '' || path === ':memory:') return undefined;
  return join(dirname(resolve(path)), SECRET_FILE_NAME);
}

/** Reads a secret file (trailing newline ignored); `setting` names where the path came from. */
export function readSecretFile(path: string, setting: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: ${setting} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return checkSecret(text.replace(/\r?\n$/, ''), `the secret in ${path}`);
}

function checkSecret(secret: string, what: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`config: ${what} is shorter than ${MIN_SECRET_LENGTH} characters: generate one with "openssl rand -base64 32"`);
  }
  return secret;
}

/**
 * Writes a secret file readable by its owner only, atomically and only if none exists yet: two
 * processes starting at once end up with the same secret. Returns the secret now in the file.
 */
export function createSecretFile(path: string, secret: string): { secret: string; created: boolean } {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, path);
    return { secret, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { secret: readSecretFile(path, 'the secret file'), created: false };
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * The secret for `config`: `secret`, else `secretFile`, else for an SQLite file the data directory's
 * `latchkey.secret` (generated on first use), else for `sqlite::memory:` a random one that lives as
 * long as the process. PostgreSQL without a secret is a ConfigError naming the settings.
 */
export function resolveSecret(config: Pick<Config, 'secret' | 'secretFile' | 'db'>): ResolvedSecret {
  if (config.secret !== undefined && config.secretFile !== undefined) {
    throw new ConfigError('config: set either "secret" (LATCHKEY_SECRET) or "secretFile" (LATCHKEY_SECRET_FILE), not both');
  }
  if (config.secret !== undefined) return { secret: checkSecret(config.secret, '"secret"'), source: 'config' };
  if (config.secretFile !== undefined) {
    return { secret: readSecretFile(config.secretFile, '"secretFile"'), source: 'file', path: config.secretFile };
  }
  if (!config.db.startsWith('sqlite:')) {
    throw new ConfigError(
      'config: "secret" is required with PostgreSQL (it encrypts the signing keys at rest): set LATCHKEY_SECRET or LATCHKEY_SECRET_FILE, ' +
        'or "secret" / "secretFile" in the config file; generate one with "openssl rand -base64 32"',
    );
  }
  const path = dataDirectorySecretPath(config.db);
  if (!path) return { secret: generateSecret(), source: 'memory' };
  try {
    return { secret: readSecretFile(path, 'the secret file'), source: 'data-directory', path };
  } catch (e) {
    if (!(e instanceof ConfigError) || !/cannot be read: ENOENT$/.test(e.message)) throw e;
  }
  makePrivateDirectory(dirname(path));
  const { secret, created } = createSecretFile(path, generateSecret());
  return { secret, source: created ? 'generated' : 'data-directory', path };
}

/** A sealer for the configured secret; `say` is told once when a secret file was generated. */
export function keySealer(config: Pick<Config, 'secret' | 'secretFile' | 'db'>, say?: (path: string) => void): KeySealer {
  const resolved = resolveSecret(config);
  if (resolved.source === 'generated' && resolved.path) say?.(resolved.path);
  return createSealer(resolved.secret);
}

/** Replaces a secret file's content atomically, keeping it readable by its owner only. */
export function replaceSecretFile(path: string, secret: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
