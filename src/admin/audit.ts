// Admin API: the audit events kept in the database (`admin.auditRetentionDays`), by time, user,
// client and event name.
import { OAuthError } from '../errors.ts';
import type { AuditRecord } from '../storage/types.ts';
import { paged } from './http.ts';
import type { AdminRoute } from './types.ts';

function epoch(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,12}$/.test(value)) throw new OAuthError('invalid_request', 'from and to are epoch seconds');
  return Number(value);
}

function idParam(value: string | null): string | undefined {
  if (value === null) return undefined;
  if (value.length > 200) throw new OAuthError('invalid_request', 'sub, client_id and event have at most 200 characters');
  return value;
}

const auditJson = (e: AuditRecord) => ({ id: e.id, at: e.at, event: e.event, client_id: e.clientId, sub: e.userId, data: e.data });

export const auditRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/audit-events',
    write: false,
    handle({ req, deps }) {
      const filters = {
        from: epoch(req.query.get('from')),
        to: epoch(req.query.get('to')),
        userId: idParam(req.query.get('sub')),
        clientId: idParam(req.query.get('client_id')),
        event: idParam(req.query.get('event')),
      };
      return paged(
        req,
        (q) => deps.storage.audit.query({ ...q, ...filters }),
        (e) => e.id,
        auditJson,
      );
    },
  },
];
