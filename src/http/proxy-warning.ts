// Behind a reverse proxy that the configuration does not trust, every request seems to come from
// the proxy, so per-address limits count everyone together: say so once, naming the setting.
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';

/**
 * Returns a check to run on each request's headers: the first request carrying X-Forwarded-For
 * while `trustProxy` is off logs one warning; later ones, and every request when proxies are
 * trusted, cost one comparison.
 */
export function untrustedProxyWarning(log: Logger, trustedHops: number): (headers: IncomingHttpHeaders) => void {
  let warned = trustedHops > 0;
  return (headers) => {
    if (warned || headers['x-forwarded-for'] === undefined) return;
    warned = true;
    log.warn(
      { setting: 'trustProxy' },
      'requests carry X-Forwarded-For but trustProxy is off: every client is seen with the proxy’s address, so the ' +
        'per-address sign-in limit counts them all together; set trustProxy to the number of proxies in front of the server',
    );
  };
}
