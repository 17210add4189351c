// Each open interaction is a stored row until it expires: one address may begin only so many per
// minute (`limits.interactionsPerMinute`), so that a flood of anonymous /authorize requests cannot
// grow the database without bound. Counted in the database, so the bound holds across instances.
import { ipBucket, throttleKey } from '../accounts/brute-force.ts';
import type { Config } from '../config/schema.ts';
import { pageError } from '../errors.ts';
import { strings } from '../interaction/strings.ts';
import type { Log } from '../log.ts';
import type { ThrottleStore } from '../storage/types.ts';

export interface LimitDeps {
  config: Config;
  storage: { throttle: Pick<ThrottleStore, 'fail'> };
  clock: () => number;
  log: Log;
}

/** Counts one new interaction for the address (atomically); past the limit, a 429 page. */
export async function admitInteraction(address: string, deps: LimitDeps): Promise<void> {
  const now = deps.clock();
  const minute = Math.floor(now / 60);
  // One counter per address and minute: the key changes with the minute, so the window is fixed.
  const key = throttleKey('interactions', ipBucket(address), String(minute));
  const { failures: begun } = await deps.storage.throttle.fail(key, now, 120);
  const limit = deps.config.limits.interactionsPerMinute;
  if (begun <= limit) return;
  const retryAfter = (minute + 1) * 60 - now;
  if (begun === limit + 1)
    deps.log.warn({ event: 'authorize.flood', limit, retry_after: retryAfter }, 'too many sign-in requests from one address');
  throw pageError(429, strings.tooManyRequests, { headers: { 'retry-after': String(retryAfter) } });
}
