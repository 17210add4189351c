// The server's own housekeeping: expired rows deleted in bounded batches, keys rotated on schedule,
// and the key ring reloaded so that every instance sees keys rotated elsewhere.
import type { Deps } from './deps.ts';
import { rotateIfDue } from './tokens/rotate.ts';

/** Runs one round; never throws (failures are logged and retried at the next round). */
export async function maintain(deps: Deps): Promise<void> {
  const { storage, config, keys, clock, log } = deps;
  try {
    const rotated = await rotateIfDue(storage.keys, config, clock(), keys.sealer);
    for (const k of rotated) log.info({ event: 'key.rotated', kid: k.kid, alg: k.alg, activates_at: k.activatesAt }, 'signing key rotated');
    const deleted = await storage.cleanup(clock());
    if (deleted > 0) log.debug({ event: 'cleanup', deleted }, 'expired rows deleted');
    // Clients registered dynamically and never used (RFC 7591 leaves their lifetime to the server).
    const unused = await storage.registrations.removeUnused(clock());
    if (unused > 0) log.info({ event: 'client.registration_expired', deleted: unused }, 'unused registered clients deleted');
    await keys.reload();
  } catch (err) {
    log.error({ err }, 'maintenance failed');
  }
}

/** Schedules `maintain` every `intervalMs` (unref'd: it never keeps the process alive). */
export function startMaintenance(deps: Deps, intervalMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void maintain(deps).finally(() => {
      running = false;
    });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
