// RFC 6749 §3.1.2.3 / OAuth 2.1 §2.3.1: why a redirect URI failed the exact match, for the operator's log.

export interface RedirectUriComparison {
  registered: string;
  /** How the requested URI differs from this registered one, most telling first. */
  differences: string[];
}

interface Parts {
  scheme: string;
  userinfo: string | undefined;
  host: string;
  port: string;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

const defaultPorts: Record<string, string> = { http: '80', https: '443' };

/** RFC 3986 Appendix B, with the authority split into userinfo, host and port. Undefined when not absolute. */
function parts(uri: string): Parts | undefined {
  const m = /^([^:/?#]+):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(uri);
  if (!m?.[1]) return undefined;
  const authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  const hostPort = at === -1 ? authority : authority.slice(at + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  return {
    scheme: m[1],
    userinfo: at === -1 ? undefined : authority.slice(0, at),
    host: hp?.[1] ?? hostPort,
    port: hp?.[2] ?? '',
    path: m[3] ?? '',
    query: m[4],
    fragment: m[5],
  };
}

function describe(name: string, given: string, registered: string): string {
  if (given.toLowerCase() === registered.toLowerCase()) return `${name} differs only in letter case ("${given}" vs "${registered}")`;
  return `${name} differs ("${given}" vs "${registered}")`;
}

const show = (s: string, max = 80) => (s.length > max ? `${s.slice(0, max)}…` : s);

/** Compares a requested redirect URI with one registered URI, component by component. */
export function compareRedirectUri(given: string, registered: string): string[] {
  if (given === registered) return [];
  const g = parts(given);
  const r = parts(registered);
  if (!g) return ['the requested redirect_uri is not an absolute URI'];
  if (!r) return ['the registered URI is not an absolute URI'];
  const out: string[] = [];
  if (g.scheme !== r.scheme) out.push(describe('scheme', g.scheme, r.scheme));
  if (g.userinfo !== r.userinfo) out.push('user information ("user@") differs');
  if (g.host !== r.host) out.push(describe('host', show(g.host), show(r.host)));
  if (g.port !== r.port) {
    // Each URI's implied port comes from its own scheme (https://x is port 443, whatever the other says).
    const port = (p: Parts) => p.port || defaultPorts[p.scheme.toLowerCase()];
    const shown = (p: Parts) => (p.port === '' ? `${port(p) ?? 'none'}, implied` : p.port);
    out.push(
      port(g) !== undefined && port(g) === port(r)
        ? `port is written differently (${shown(g)} vs ${shown(r)}): the match is exact, write it as registered`
        : `port differs (${shown(g)} vs ${shown(r)})`,
    );
  }
  if (g.path !== r.path) {
    if (g.path === `${r.path}/`) out.push('path has an extra trailing slash');
    else if (`${g.path}/` === r.path) out.push('path lacks the trailing slash');
    else out.push(describe('path', show(g.path), show(r.path)));
  }
  if (g.query !== r.query) {
    if (r.query === undefined) out.push('query is present in the request but not in the registered URI');
    else if (g.query === undefined) out.push('query is missing (the registered URI has one)');
    else out.push(describe('query', show(g.query), show(r.query)));
  }
  if (g.fragment !== undefined) out.push('the requested URI has a fragment, which a redirect URI must not have');
  // Different only by something the components above do not capture (e.g. "https:/x" vs "https:x").
  if (out.length === 0) out.push('differs in how the URI is written');
  return out;
}

/** Compares the requested URI with each registered one (bounded, for the log). */
export function diagnoseRedirectUri(given: string, registered: readonly string[], max = 20): RedirectUriComparison[] {
  return registered.slice(0, max).map((uri) => ({ registered: uri, differences: compareRedirectUri(given, uri) }));
}
