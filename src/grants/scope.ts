// RFC 6749 §3.3: scope is a space-delimited, case-sensitive list.

export function splitScope(scope: string | undefined): string[] {
  return [...new Set((scope ?? '').split(' ').filter(Boolean))];
}

export const joinScope = (scopes: readonly string[]): string => scopes.join(' ');

export function isSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((s) => allowed.includes(s));
}
