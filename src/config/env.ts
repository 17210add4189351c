// The environment mapping, derived from the schema: every setting `a.bC` is `LATCHKEY_A_B_C`.
// Numbers and booleans are written as such; lists and objects as JSON.
import { z } from 'zod';

/** One configuration key and its environment variable. */
export interface EnvVariable {
  /** e.g. `LATCHKEY_TTL_ACCESS_TOKEN` */
  name: string;
  /** e.g. `ttl.accessToken` */
  key: string;
  path: string[];
  schema: z.ZodType;
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function unwrap(s: z.ZodType): z.ZodType {
  return s instanceof z.ZodOptional ? unwrap(s.unwrap() as z.ZodType) : s;
}

/** Every leaf of an object schema (nested objects are walked; lists stay one variable). */
export function envVariables(shape: Record<string, z.ZodType>, prefix: string[] = []): EnvVariable[] {
  const out: EnvVariable[] = [];
  for (const [k, s] of Object.entries(shape)) {
    const inner = unwrap(s);
    const path = [...prefix, k];
    if (inner instanceof z.ZodObject) out.push(...envVariables(inner.shape as Record<string, z.ZodType>, path));
    else out.push({ name: `LATCHKEY_${path.map(snake).join('_')}`, key: path.join('.'), path, schema: s });
  }
  return out;
}

/** What a variable's text means for its schema; a wrong shape is an Error naming the expected form. */
function parseText(text: string, schema: z.ZodType): unknown {
  const kinds = kindsOf(unwrap(schema));
  if (kinds.has('json')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error('must be JSON (a list is written ["a","b"])');
    }
  }
  if (kinds.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (kinds.has('number')) {
    if (/^-?\d+$/.test(text)) return Number(text);
    throw new Error(`must be a whole number${kinds.has('boolean') ? ', true or false' : ''}`);
  }
  if (kinds.has('boolean')) throw new Error('must be true or false');
  return text;
}

function kindsOf(s: z.ZodType): Set<'number' | 'boolean' | 'json' | 'string'> {
  if (s instanceof z.ZodUnion) return new Set((s.options as z.ZodType[]).flatMap((o) => [...kindsOf(unwrap(o))]));
  if (s instanceof z.ZodNumber) return new Set(['number']);
  if (s instanceof z.ZodBoolean) return new Set(['boolean']);
  if (s instanceof z.ZodArray || s instanceof z.ZodObject || s instanceof z.ZodRecord) return new Set(['json']);
  return new Set(['string']);
}

/**
 * Reads the variables present in `env` into a nested partial configuration. Each value is checked
 * against its key's schema here, so that an error names the variable; `onError` builds that error.
 */
export function readEnv(env: NodeJS.ProcessEnv, variables: EnvVariable[], onError: (message: string) => Error): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of variables) {
    const text = env[v.name];
    if (text === undefined || text === '') continue;
    let value: unknown;
    try {
      value = parseText(text, v.schema);
    } catch (e) {
      throw onError(`${v.name}: "${v.key}" ${(e as Error).message}, got ${JSON.stringify(text)}`);
    }
    const checked = v.schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw onError(`${v.name}: "${v.key}"${where} ${issue?.message ?? 'is invalid'}`);
    }
    let node = out;
    for (const p of v.path.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[v.path[v.path.length - 1] as string] = checked.data;
  }
  return out;
}
