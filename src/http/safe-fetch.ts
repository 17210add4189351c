// RFC 7591 §5 and RFC 9700 §4.16 (server-side request forgery): fetching a URL a client registered
// (a `jwks_uri`, a client metadata document) without letting the client aim the server at its own
// network. Reusable: every outbound fetch of a client-supplied URL goes through safeFetch.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';

/** What safeFetch may do. Every limit has a safe default. */
export interface SafeFetchOptions {
  /** Largest body accepted, in bytes (default 64 KiB); a larger one is refused. */
  maxBytes?: number;
  /** Time for the whole exchange, connection included (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Let the fetch reach loopback addresses (127.0.0.0/8, ::1) over plain http: for tests and local
   * development only. Every other special-use address is refused whatever this says.
   */
  allowLoopback?: boolean;
  /** The Accept header (default `application/json`). */
  accept?: string;
  /** A POST with this body instead of a GET (a back-channel logout request). */
  post?: { contentType: string; body: string };
  /** The statuses that are success (default only 200); any other, redirects included, is refused. */
  okStatuses?: readonly number[];
}

/**
 * Why a fetch was refused: `url` (not https, credentials in it), `address` (a special-use address),
 * `status` (anything but 200, redirects included), `size`, `timeout` or `network`.
 */
export class SafeFetchError extends Error {
  override name = 'SafeFetchError';
  readonly reason: 'url' | 'address' | 'status' | 'size' | 'timeout' | 'network';
  constructor(reason: SafeFetchError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** RFC 6890 and the IANA special-purpose registries: addresses a client's URL may never reach. */
const special = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  special.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  special.addSubnet(net, prefix, 'ipv6');
}
// IPv4-mapped IPv6 (::ffff:0:0/96) is checked apart: a BlockList also applies such a rule to IPv4.
const mapped = new BlockList();
mapped.addSubnet('::ffff:0:0', 96, 'ipv6');
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const family = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Whether an IP address is loopback. */
export function isLoopbackAddress(address: string): boolean {
  return isIP(address) !== 0 && loopback.check(address, family(address));
}

/**
 * Whether a URL host names this machine's loopback: 127.0.0.0/8, ::1 (with or without brackets) or
 * `localhost` (RFC 6761 §6.3). Decides on the text only, nothing is resolved.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || isLoopbackAddress(h);
}

/** Whether an IP address is special-use (private, link-local, loopback, multicast, documentation…). */
export function isSpecialUseAddress(address: string): boolean {
  if (isIP(address) === 0) return true;
  const f = family(address);
  return isLoopbackAddress(address) || special.check(address, f) || (f === 'ipv6' && mapped.check(address, 'ipv6'));
}

function refusal(address: string, allowLoopback: boolean): SafeFetchError | undefined {
  if (allowLoopback && isLoopbackAddress(address)) return undefined;
  if (isSpecialUseAddress(address)) return new SafeFetchError('address', `refused to connect to the special-use address ${address}`);
  return undefined;
}

/**
 * A `lookup` for node:http that resolves the name once and connects to an address it checked: the
 * check and the connection see the same address, so that a name cannot change (DNS rebinding) in
 * between.
 */
function checkedLookup(allowLoopback: boolean) {
  return (
    hostname: string,
    options: { all?: boolean },
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      for (const a of addresses) {
        const problem = refusal(a.address, allowLoopback);
        if (problem) return callback(problem, '');
      }
      const first = addresses[0];
      if (!first) return callback(new SafeFetchError('network', `${hostname} has no address`), '');
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * GETs a URL a client registered, as a server may: https only (plain http only to loopback when
 * `allowLoopback`), no special-use address (checked on the address actually connected to), no
 * redirect followed, 200 only, a bounded body and time. Throws a {@link SafeFetchError} naming why.
 * Use it for every URL a client supplies, e.g.
 * `JSON.parse((await safeFetch(uri, { maxBytes: 32 * 1024, allowLoopback: config.outboundFetch.allowLoopback })).body.toString())`.
 */
// POST is for notifications such as OIDC Back-Channel Logout 1.0 §2.5 (`post`, `okStatuses`).
export async function safeFetch(
  url: string,
  options: SafeFetchOptions = {},
): Promise<{ body: Buffer; contentType: string; cacheControl: string }> {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const timeoutMs = options.timeoutMs ?? 5000;
  const allowLoopback = options.allowLoopback ?? false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SafeFetchError('url', 'not a URL');
  }
  if (u.username || u.password) throw new SafeFetchError('url', 'a URL with credentials is refused');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    const problem = refusal(host, allowLoopback);
    if (problem) throw problem;
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && allowLoopback)) {
    throw new SafeFetchError('url', 'only https URLs are fetched');
  }
  const plainHttp = u.protocol === 'http:';
  const okStatuses = options.okStatuses ?? [200];
  const post = options.post && Buffer.from(options.post.body);
  return new Promise((resolve, reject) => {
    const send = plainHttp ? httpRequest : httpsRequest;
    const req = send(
      u,
      {
        method: post ? 'POST' : 'GET',
        headers: {
          accept: options.accept ?? 'application/json',
          'user-agent': 'latchkey',
          ...(post ? { 'content-type': options.post?.contentType, 'content-length': String(post.length) } : {}),
        },
        lookup: checkedLookup(allowLoopback) as never,
        timeout: timeoutMs,
        // No connection reuse: each fetch connects to an address checked for it.
        agent: false,
      },
      (res: IncomingMessage) => {
        // Plain http is for loopback only, also when a name was resolved.
        if (plainHttp && !isLoopbackAddress(res.socket.remoteAddress ?? '')) {
          res.destroy();
          return reject(new SafeFetchError('url', 'only https URLs are fetched'));
        }
        if (!okStatuses.includes(res.statusCode ?? 0)) {
          res.destroy();
          return reject(
            new SafeFetchError(
              'status',
              `answered ${res.statusCode} (only ${okStatuses.join(' or ')} is accepted; redirects are not followed)`,
            ),
          );
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > maxBytes) {
          res.destroy();
          return reject(new SafeFetchError('size', `the body is larger than ${maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            reject(new SafeFetchError('size', `the body is larger than ${maxBytes} bytes`));
          } else chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            body: Buffer.concat(chunks),
            contentType: String(res.headers['content-type'] ?? ''),
            cacheControl: String(res.headers['cache-control'] ?? ''),
          }),
        );
        res.on('error', (e) => reject(new SafeFetchError('network', e.message)));
      },
    );
    const timer = setTimeout(() => req.destroy(new SafeFetchError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new SafeFetchError('timeout', `no answer within ${timeoutMs} ms`)));
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => reject(e instanceof SafeFetchError ? e : new SafeFetchError('network', e.message)));
    req.end(post);
  });
}
