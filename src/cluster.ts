// `latchkey serve --workers N`: N processes (node:cluster) share one listening socket; the primary
// only supervises. Every worker is a complete, stateless server: all state is in the database.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface SupervisorOptions {
  workers: number;
  log: Logger;
  /** First restart delay (ms); doubles on each quick failure, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Consecutive quick failures after which the primary gives up (a worker that cannot start). */
  maxQuickFailures?: number;
  /** How long workers get to finish their requests after SIGTERM before they are killed (ms). */
  stopTimeoutMs?: number;
}

/** A worker that lived this long was healthy: its exit does not count towards giving up. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * Forks the workers and keeps them running: a worker that dies is replaced after a delay that grows
 * with repeated quick failures (bounded), and SIGTERM / SIGINT are forwarded to every worker.
 * Resolves with the exit code once every worker has stopped.
 */
export function superviseWorkers(opts: SupervisorOptions): Promise<number> {
  const { log, workers } = opts;
  const backoffMs = opts.backoffMs ?? 100;
  const maxBackoffMs = opts.maxBackoffMs ?? 10_000;
  const maxQuickFailures = opts.maxQuickFailures ?? 10;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const started = new Map<Worker, number>();
  let quickFailures = 0;
  let stopping = false;
  let exitCode = 0;
  const pending = new Set<NodeJS.Timeout>();

  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (stopping && started.size === 0 && pending.size === 0) resolve(exitCode);
    };

    const fork = () => {
      const worker = cluster.fork();
      started.set(worker, Date.now());
      worker.once('online', () => log.info({ event: 'worker.online', pid: worker.process.pid }, 'worker started'));
    };

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'primary.stopping', signal }, 'stopping the workers');
      for (const t of pending) clearTimeout(t);
      pending.clear();
      for (const worker of started.keys()) worker.process.kill('SIGTERM');
      // Workers that do not stop in time are killed, so that the primary always ends.
      setTimeout(() => {
        for (const worker of started.keys()) worker.process.kill('SIGKILL');
      }, stopTimeoutMs).unref();
      finishIfDone();
    };

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? Date.now());
      started.delete(worker);
      if (stopping) {
        finishIfDone();
        return;
      }
      quickFailures = lived >= HEALTHY_AFTER_MS ? 0 : quickFailures + 1;
      if (quickFailures >= maxQuickFailures) {
        log.fatal({ event: 'primary.giving_up', failures: quickFailures }, 'workers keep failing at start-up: stopping');
        exitCode = 1;
        stop('SIGTERM');
        return;
      }
      const delay = Math.min(backoffMs * 2 ** Math.max(0, quickFailures - 1), maxBackoffMs);
      log.error({ event: 'worker.exit', pid: worker.process.pid, code, signal, restart_in_ms: delay }, 'worker died: restarting it');
      const t = setTimeout(() => {
        pending.delete(t);
        if (!stopping) fork();
      }, delay);
      pending.add(t);
    });

    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    for (let i = 0; i < workers; i++) fork();
  });
}
