// RFC 6749 §3.1 / §3.2 and Appendix B: strict application/x-www-form-urlencoded parsing.
import { OAuthError } from '../errors.ts';

/**
 * Parses a form or query string strictly: invalid percent-encoding, invalid UTF-8 and NUL bytes
 * are refused (URLSearchParams would silently repair them).
 */
export function parseForm(text: string, maxParameterBytes: number): URLSearchParams {
  const out = new URLSearchParams();
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    if (rawName.length + rawValue.length > maxParameterBytes) {
      throw new OAuthError('invalid_request', 'a parameter is too large');
    }
    const name = decode(rawName);
    const value = decode(rawValue);
    out.append(name, value);
  }
  return out;
}

function decode(raw: string): string {
  // Most values (tokens, ids, codes) have nothing to decode.
  if (!/[%+\0]/.test(raw)) return raw;
  let s: string;
  try {
    s = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_request', 'the request has invalid percent-encoding or invalid UTF-8');
  }
  if (s.includes('\0')) throw new OAuthError('invalid_request', 'the request contains a NUL character');
  return s;
}

/**
 * The parameters as a plain object. RFC 6749 §3.1: parameters MUST NOT be included more than once;
 * parameters sent without a value MUST be treated as if they were omitted.
 */
export function singleParams(...sources: (URLSearchParams | null)[]): Record<string, string> {
  return collectParams(sources, []).params;
}

/**
 * Like singleParams, but the names in `repeatable` may occur more than once (RFC 8707 §2: several
 * `resource` parameters); their values are returned as lists.
 */
export function collectParams(
  sources: (URLSearchParams | null)[],
  repeatable: readonly string[],
): { params: Record<string, string>; lists: Record<string, string[]> } {
  const params: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const seen = new Set<string>();
  for (const source of sources) {
    if (!source) continue;
    for (const [name, value] of source) {
      if (repeatable.includes(name)) {
        const list = lists[name] ?? [];
        list.push(value);
        lists[name] = list;
        continue;
      }
      if (seen.has(name)) throw new OAuthError('invalid_request', `the parameter ${safeName(name)} is repeated`);
      seen.add(name);
      if (value !== '') params[name] = value;
    }
  }
  return { params, lists };
}

function safeName(name: string): string {
  return name.length > 40 || !/^[\w.:-]*$/.test(name) ? '(invalid name)' : name;
}
