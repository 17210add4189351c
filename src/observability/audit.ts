// Audit events and the request-scoped logger: every log line of a request carries its request id,
// and every audit event (`event` field) is also counted in the server's metrics.
import type { Logger } from 'pino';
import { type Counter, type Histogram, latencyBuckets, type Metrics } from './metrics.ts';

/**
 * The audit events Latchkey emits, by name. Every one is a JSON log line with `event` set to the
 * name and never carries a secret, password, code or token (only ids: client_id, sub, grant_id, kid).
 */
export const auditEvents = [
  'login.success',
  'login.failure',
  'login.throttled',
  'login.disabled',
  'consent.granted',
  'consent.denied',
  'code.issued',
  'code.reuse',
  'token.issued',
  'refresh.reuse',
  'token.revoked',
  'client.auth_failure',
  'key.rotated',
  'authorize.redirect_uri_mismatch',
  'admin.call',
  'backchannel_logout.delivered',
  'backchannel_logout.failed',
] as const;

/** The instruments of one server. */
export interface ServerMetrics {
  readonly registry: Metrics;
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly tokensIssued: Counter;
  readonly loginFailures: Counter;
  readonly reuseDetected: Counter;
  readonly clientAuthFailures: Counter;
  readonly throttled: Counter;
  readonly events: Counter;
}

export function serverMetrics(registry: Metrics): ServerMetrics {
  return {
    registry,
    requests: registry.counter('latchkey_http_requests_total', 'HTTP requests answered, by route, method and status.'),
    duration: registry.histogram('latchkey_http_request_duration_seconds', 'Time to answer an HTTP request, by route.', latencyBuckets),
    tokensIssued: registry.counter('latchkey_tokens_issued_total', 'Token responses issued, by grant type.'),
    loginFailures: registry.counter('latchkey_login_failures_total', 'Failed sign-in attempts (wrong credentials).'),
    reuseDetected: registry.counter(
      'latchkey_reuse_detected_total',
      'Reused authorization codes or refresh tokens (the grant is revoked).',
    ),
    clientAuthFailures: registry.counter('latchkey_client_auth_failures_total', 'Failed client authentications.'),
    throttled: registry.counter('latchkey_throttled_total', 'Attempts refused by brute-force protection, by kind.'),
    events: registry.counter('latchkey_audit_events_total', 'Audit events logged, by event name.'),
  };
}

/** Counts one audit event in the metrics it feeds. */
export function countEvent(m: ServerMetrics, fields: Record<string, unknown>): void {
  const event = fields.event;
  if (typeof event !== 'string') return;
  m.events.inc({ event });
  switch (event) {
    case 'token.issued':
      m.tokensIssued.inc({ grant_type: typeof fields.grant_type === 'string' ? fields.grant_type : 'unknown' });
      break;
    case 'login.failure':
      m.loginFailures.inc();
      break;
    case 'code.reuse':
    case 'refresh.reuse':
      m.reuseDetected.inc({ kind: event === 'code.reuse' ? 'code' : 'refresh_token' });
      break;
    case 'client.auth_failure':
      m.clientAuthFailures.inc();
      break;
    case 'login.throttled':
      m.throttled.inc({ kind: 'login' });
      break;
  }
}

type LogMethod = (first: unknown, ...rest: unknown[]) => void;

/** The level methods, counting, on a prototype: a child per request costs one small object. */
class Counting {
  readonly base: Logger;
  private readonly metrics: ServerMetrics;
  private readonly record: ((fields: Record<string, unknown>) => void) | undefined;

  constructor(base: Logger, metrics: ServerMetrics, record: ((fields: Record<string, unknown>) => void) | undefined) {
    this.base = base;
    this.metrics = metrics;
    this.record = record;
  }

  private count(first: unknown): void {
    // Counted whatever the log level: metrics do not depend on how verbose the logs are.
    if (!first || typeof first !== 'object') return;
    countEvent(this.metrics, first as Record<string, unknown>);
    if (this.record && typeof (first as Record<string, unknown>).event === 'string') this.record(first as Record<string, unknown>);
  }

  private write(level: (typeof LEVELS)[number], first: unknown, rest: unknown[]): void {
    this.count(first);
    (this.base[level] as LogMethod).call(this.base, first, ...rest);
  }

  fatal(first: unknown, ...rest: unknown[]): void {
    this.write('fatal', first, rest);
  }
  error(first: unknown, ...rest: unknown[]): void {
    this.write('error', first, rest);
  }
  warn(first: unknown, ...rest: unknown[]): void {
    this.write('warn', first, rest);
  }
  info(first: unknown, ...rest: unknown[]): void {
    this.write('info', first, rest);
  }
  debug(first: unknown, ...rest: unknown[]): void {
    this.write('debug', first, rest);
  }
  trace(first: unknown, ...rest: unknown[]): void {
    this.write('trace', first, rest);
  }
  get level(): string {
    return this.base.level;
  }
  set level(value: string) {
    this.base.level = value;
  }
  isLevelEnabled(level: string): boolean {
    return this.base.isLevelEnabled(level);
  }
  child(bindings: Record<string, unknown>, options?: object): Logger {
    return new Counting(this.base.child(bindings, options), this.metrics, this.record) as unknown as Logger;
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * A logger that counts audit events (and hands them to `record`) before writing them through
 * `base`; its children count too. The HTTP adapter makes one child per request, carrying the
 * request id, and the routes hand that child to the endpoint as `deps.log`. Only the level methods,
 * `level`, `isLevelEnabled` and `child` of pino's API are offered: the server uses no other.
 */
export function countingLogger(base: Logger, metrics: ServerMetrics, record?: (fields: Record<string, unknown>) => void): Logger {
  return new Counting(base, metrics, record) as unknown as Logger;
}
