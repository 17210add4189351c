// Audit events kept in the database for `admin.auditRetentionDays`, so that the admin API can answer
// "what happened to this user or client" without the log pipeline. Written beside the log line,
// never in the way of the request: a failed write is logged, not thrown.
import { randomBytes } from 'node:crypto';
import type { AuditStore } from '../storage/types.ts';
import { auditEvents } from './audit.ts';

const known = new Set<string>(auditEvents);

export interface AuditRecorder {
  record(fields: Record<string, unknown>): void;
  /** Waits for the writes under way (before the database closes). */
  flush(): Promise<void>;
}

/** A sortable id: the time, zero-padded, a counter of this process, and a random part. */
function auditIdMaker(): (at: number) => string {
  let seq = 0;
  const instance = randomBytes(4).toString('hex');
  return (at) => `${String(at).padStart(12, '0')}-${instance}-${String(seq++ % 1e9).padStart(9, '0')}`;
}

export function auditRecorder(
  store: AuditStore,
  clock: () => number,
  retentionDays: number,
  onError: (err: unknown) => void,
): AuditRecorder {
  const pending = new Set<Promise<void>>();
  const nextId = auditIdMaker();
  return {
    record(fields) {
      const event = fields.event;
      if (typeof event !== 'string' || !known.has(event)) return;
      const { event: _e, client_id, sub, ...data } = fields;
      const at = clock();
      const write = store
        .add({
          id: nextId(at),
          at,
          event,
          clientId: typeof client_id === 'string' ? client_id : null,
          userId: typeof sub === 'string' ? sub : null,
          data,
          expiresAt: at + retentionDays * 86_400,
        })
        .catch(onError)
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
