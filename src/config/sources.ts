// Where a configuration comes from besides code: LATCHKEY_* environment variables and a JSON file,
// each a layer for resolveConfig (schema.ts); and whole numbers read from the command line.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { type EnvVariable, envVariables, readEnv } from './env.ts';
import { ConfigError, type ConfigInput, configSchema } from './schema.ts';

/**
 * Every setting's environment variable: `ttl.accessToken` is `LATCHKEY_TTL_ACCESS_TOKEN` (README
 * "Configuration" lists them all).
 */
export const environmentVariables: readonly EnvVariable[] = envVariables(configSchema.shape as Record<string, z.ZodType>);

/** Reads the LATCHKEY_* variables (and PORT, when LATCHKEY_PORT is not set) from an environment. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const withPort = env.LATCHKEY_PORT === undefined && env.PORT !== undefined ? { ...env, LATCHKEY_PORT: env.PORT } : env;
  const portName = withPort === env ? 'LATCHKEY_PORT' : 'PORT';
  if (withPort.LATCHKEY_PORT !== undefined) parseIntOrThrow(withPort.LATCHKEY_PORT, portName);
  return readEnv(withPort, [...environmentVariables], (message) => new ConfigError(`config: ${message}`)) as ConfigInput;
}

/** Reads a JSON config file; a missing or malformed file is a ConfigError naming the path. */
export function configFromFile(path: string): ConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level must be an object');
    return value as ConfigInput;
  } catch (e) {
    throw new ConfigError(`config: ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function parseIntOrThrow(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`config: ${name} must be a whole number, got "${value}"`);
  return Number(value);
}
