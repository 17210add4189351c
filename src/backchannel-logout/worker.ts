// OpenID Connect Back-Channel Logout 1.0 §2.5: the worker that delivers the queued logout tokens —
// claimed with a lease (one instance at a time), POSTed through the SSRF-safe fetcher, retried with
// exponential backoff, a bounded number of times. Started by the server, stopped on close.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { safeFetch } from '../http/safe-fetch.ts';
import type { LogoutJobRecord, Storage } from '../storage/types.ts';
import type { KeyRing } from '../tokens/keys.ts';
import { logoutToken } from './logout-token.ts';

export interface LogoutWorkerDeps {
  config: Pick<Config, 'issuer' | 'idTokenAlg' | 'backchannelLogout' | 'outboundFetch'>;
  storage: { logoutJobs: Storage['logoutJobs']; clients: Pick<Storage['clients'], 'get'> };
  keys: Pick<KeyRing, 'signing'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Epoch seconds (the tokens' iat). */
  clock: () => number;
  /** Epoch milliseconds (the queue's times); Date.now by default. */
  nowMs?: () => number;
}

export interface LogoutWorker {
  /** Looks at the queue now (after a sign-out queued jobs), not at the next poll. */
  kick(): void;
  /** Stops polling and waits for the deliveries under way. */
  stop(): Promise<void>;
}

const BATCH = 10;

/** The wait before attempt `attempts + 1`: the base, doubled after each failure. */
export function retryDelayMs(baseMs: number, attempts: number): number {
  return baseMs * 2 ** Math.max(0, attempts - 1);
}

/** Starts the worker: it polls every `pollIntervalMs` (timers unref'd) and whenever kicked. */
export function startLogoutWorker(deps: LogoutWorkerDeps): LogoutWorker {
  const { backchannelLogout: settings } = deps.config;
  const nowMs = deps.nowMs ?? Date.now;
  // A claim outlives the longest delivery, so that no other instance takes the job meanwhile.
  const leaseMs = settings.timeoutMs * 2 + 5000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, settings.pollIntervalMs);
    timer.unref();
  };

  async function drain(): Promise<void> {
    for (;;) {
      again = false;
      const jobs = await deps.storage.logoutJobs.claimDue(nowMs(), leaseMs, BATCH);
      await Promise.all(jobs.map((job) => deliver(job, deps, leaseMs)));
      if (stopped || (jobs.length < BATCH && !again)) return;
    }
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((err: unknown) => deps.log.error({ err }, 'the back-channel logout queue could not be read'))
      .finally(() => {
        running = undefined;
        schedule();
      });
  }

  const unsubscribe = deps.storage.logoutJobs.onQueued(run);
  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      await running;
    },
  };
}

/** One attempt at one job; never throws. */
async function deliver(job: LogoutJobRecord, deps: LogoutWorkerDeps, leaseMs: number): Promise<void> {
  const { storage, log, config } = deps;
  const settings = config.backchannelLogout;
  const fields = { client_id: job.clientId, sub: job.userId, attempt: job.attempts };
  try {
    const client = await storage.clients.get(job.clientId);
    const uri = client?.backchannelLogoutUri;
    // A client deleted, disabled or without a URI since: nothing to tell it.
    if (!client || !uri || client.disabledAt !== null) {
      await storage.logoutJobs.finish(job.id);
      log.info({ event: 'backchannel_logout.dropped', ...fields }, 'back-channel logout dropped: the client no longer takes it');
      return;
    }
    // §2.2: a client that requires the sid gets no logout token without one.
    if (client.backchannelLogoutSessionRequired && !job.sid) {
      await storage.logoutJobs.finish(job.id);
      log.info({ event: 'backchannel_logout.dropped', ...fields }, 'back-channel logout dropped: the session had no sid');
      return;
    }
    const token = await logoutToken({ clientId: job.clientId, sub: job.userId, sid: job.sid }, deps, deps.clock());
    try {
      // §2.5: POST application/x-www-form-urlencoded with logout_token; §2.8: 200 is success (204 from
      // some frameworks too); a redirect is not followed.
      await safeFetch(uri, {
        post: { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ logout_token: token }).toString() },
        okStatuses: [200, 204],
        accept: '*/*',
        timeoutMs: Math.min(settings.timeoutMs, leaseMs),
        maxBytes: config.outboundFetch.maxBytes,
        allowLoopback: config.outboundFetch.allowLoopback,
      });
    } catch (err) {
      const reason = (err as Error).message;
      if (job.attempts >= settings.maxAttempts) {
        await storage.logoutJobs.finish(job.id);
        log.warn({ event: 'backchannel_logout.failed', ...fields, reason }, 'back-channel logout not delivered: gave up');
      } else {
        const delay = retryDelayMs(settings.retryBaseMs, job.attempts);
        await storage.logoutJobs.retryAt(job.id, (deps.nowMs ?? Date.now)() + delay);
        log.warn({ event: 'backchannel_logout.retry', ...fields, reason, retry_in_ms: delay }, 'back-channel logout failed: will retry');
      }
      return;
    }
    await storage.logoutJobs.finish(job.id);
    log.info({ event: 'backchannel_logout.delivered', ...fields }, 'back-channel logout delivered');
  } catch (err) {
    // The database failed: the lease runs out and the job is claimed again.
    log.error({ err, ...fields }, 'back-channel logout job failed');
  }
}
