// Markdown tables and the target verdicts. Ratios come only from rows of the same run.
import type { InprocResult } from './inproc/verify.ts';
import { CATEGORIES, categorizeFiles } from './profile-summary.ts';
import type { ScenarioId, SystemKind, SystemSpec } from './systems/types.ts';

export interface Row {
  scenario: ScenarioId;
  system: string;
  systemId: string;
  kind: SystemKind;
  unit?: 'req/s' | 'flows/s';
  rate?: number;
  p50?: number;
  p99?: number;
  /** Server CPU (user + system, all its processes) per request or flow, in milliseconds. */
  cpuMs?: number;
  /** The load generators' CPU per request or flow, in milliseconds (not counted as the server's). */
  loadCpuMs?: number;
  /** HTTP requests per op: 1, or the requests of one code flow. */
  requestsPerOp?: number;
  rssStartMb?: number;
  rssEndMb?: number;
  /** RSS sampled through the window, when asked for. */
  rssSamplesMb?: number[];
  /** CPU profiles of the window, one per server process, with --profile. */
  profiles?: string[];
  processes?: number;
  errors?: number;
  note?: string;
}

export type InprocRow = InprocResult;

export const TITLES: Record<ScenarioId, string> = {
  discovery: 'Discovery GET',
  jwks: 'JWKS GET',
  client_credentials: 'client_credentials (client_secret_basic)',
  introspection: 'Introspection of an active access token',
  refresh_token: 'refresh_token with rotation, ID token on both sides',
  refresh_token_no_id: 'refresh_token with rotation, no openid: no ID token on either side',
  code_flow_returning: 'Code flow, returning user (session and consent exist)',
  code_flow_first: 'Code flow, first sign-in (argon2id, consent)',
};

export const measured = (r: Row | undefined): r is Row & Required<Pick<Row, 'rate' | 'cpuMs'>> =>
  r !== undefined && r.rate !== undefined && r.cpuMs !== undefined && Number.isFinite(r.cpuMs) && r.cpuMs > 0;

/** Rate ratio and CPU ratio (baseline CPU per request ÷ this CPU per request: above 1 is cheaper). */
export function ratios(row: Row, base: Row | undefined): { rate: number; cpu: number } | undefined {
  if (!measured(row) || !measured(base) || row === base) return undefined;
  return { rate: row.rate / base.rate, cpu: base.cpuMs / row.cpuMs };
}

export const x = (n: number) => `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×`;
export const ms = (n: number | undefined) => (n === undefined ? '' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
// autocannon records whole milliseconds.
const latency = (n: number | undefined) => (n === undefined ? '' : n === 0 ? '< 1' : ms(n));

export function baseline(rows: readonly Row[], scenario: ScenarioId, kind: SystemKind): Row | undefined {
  return rows.find((r) => r.scenario === scenario && r.kind === kind && measured(r));
}

export function resultTable(rows: readonly Row[]): string[] {
  const out = [
    '| Scenario | System | Rate | p50 ms | p99 ms | Server CPU ms per op | Server RSS MB start → end | Errors | vs oidc-provider: rate, CPU | vs node:http: rate, CPU |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    for (const row of rows.filter((r) => r.scenario === scenario)) {
      if (!measured(row)) {
        out.push(`| ${TITLES[scenario]} | ${row.system} | ${row.note ?? 'not measured'} | | | | | | | |`);
        continue;
      }
      const vsOp = row.kind === 'oidc-provider' ? undefined : ratios(row, baseline(rows, scenario, 'oidc-provider'));
      const vsCeiling = row.kind === 'ceiling' ? undefined : ratios(row, baseline(rows, scenario, 'ceiling'));
      const errors = row.errors ?? 0;
      const rss =
        row.rssStartMb !== undefined && row.rssEndMb !== undefined ? `${row.rssStartMb.toFixed(0)} → ${row.rssEndMb.toFixed(0)}` : '';
      out.push(
        [
          '',
          TITLES[scenario],
          row.system,
          `${row.rate.toFixed(row.rate >= 100 ? 0 : 1)} ${row.unit ?? ''}`,
          latency(row.p50),
          latency(row.p99),
          ms(row.cpuMs),
          rss,
          errors === 0 ? '0' : `**${errors}** ✗ ${row.note ?? ''}`,
          vsOp ? `${x(vsOp.rate)}, ${x(vsOp.cpu)}` : '',
          vsCeiling ? `${x(vsCeiling.rate)}, ${x(vsCeiling.cpu)}` : '',
          '',
        ]
          .join(' | ')
          .trim(),
      );
    }
  }
  out.push(
    '',
    'Rate is requests (or complete code flows) per second at fixed concurrency; latency is per request (per flow for code flows).',
    'Server CPU is user + system time of every process of the server (and, on PostgreSQL, of the database server) during the measured window, divided by the requests served:',
    'the steadiest figure on a shared machine. Ratios: rate ÷ baseline rate, and baseline CPU per op ÷ this CPU per op (above 1 = cheaper).',
  );
  return out;
}

export function inprocTable(rows: readonly InprocRow[]): string[] {
  const out = ['| Operation | Alg | ops/s | CPU µs per op | vs jose jwtVerify (local key): rate, CPU |', '|---|---|--:|--:|--:|'];
  for (const r of rows) {
    const jose = rows.find((b) => b.alg === r.alg && b.name === 'jose jwtVerify, local key');
    const vs =
      r.name.startsWith('Latchkey') && jose ? `${x(r.opsPerSec / jose.opsPerSec)}, ${x(jose.cpuMicrosPerOp / r.cpuMicrosPerOp)}` : '';
    out.push(`| ${r.name} | ${r.alg} | ${r.opsPerSec.toFixed(0)} | ${r.cpuMicrosPerOp.toFixed(0)} | ${vs} |`);
  }
  out.push(
    '',
    'One call at a time, awaited; three interleaved rounds, median. The token is shaped like a Latchkey access token (typ at+jwt,',
    'iss, aud, sub, client_id, scope, iat, exp, jti); verifyAccessToken gets its metadata and JWKS once from memory and caches them.',
  );
  return out;
}

/** Every scenario of the main table, in the order they run. */
export const SCENARIOS = Object.keys(TITLES) as readonly ScenarioId[];

/** The token paths: every scenario but the two metadata GETs. */
const PROFILED: readonly ScenarioId[] = SCENARIOS.filter((s) => s !== 'discovery' && s !== 'jwks');

/** The row of a scenario that could not be measured, saying why. */
export function failedRow(scenario: ScenarioId, system: Pick<SystemSpec, 'label' | 'id' | 'kind'>, error: unknown): Row {
  return {
    scenario,
    system: system.label,
    systemId: system.id,
    kind: system.kind,
    note: `failed: ${(error as Error).message.split('\n')[0]}`,
  };
}

/** Where each server's busy CPU went in each token path's measured window (with --profile). */
export function profileTable(rows: readonly Row[]): string[] {
  const profiled = rows.filter((r) => PROFILED.includes(r.scenario) && (r.profiles?.length ?? 0) > 0);
  if (profiled.length === 0) return [];
  const out = [`| Path | System | Busy samples | ${CATEGORIES.join(' | ')} |`, `|---|---|--:|${CATEGORIES.map(() => '--:').join('|')}|`];
  for (const row of profiled) {
    const { busy, by } = categorizeFiles(row.profiles ?? []);
    const cells = CATEGORIES.map((c) => (busy > 0 ? `${((100 * (by.get(c) ?? 0)) / busy).toFixed(1)}%` : ''));
    out.push(`| ${TITLES[row.scenario]} | ${row.system} | ${busy} | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    'Shares of the samples where the server was not idle (every process of the server), by the self-time frame of each sample;',
    'a native frame (a signature, an SQLite statement, writev) counts for the code that called it. HTTP: node:_http_*, net and',
    'stream internals; routing: dist/http/router.js, dist/routes.js; logging: pino and its modules, sonic-boom, dist/log.js, the',
    'audit logger proxy (dist/observability/audit.js); client auth: dist/clients/; storage: kysely, better-sqlite3, pg,',
    'dist/storage/; crypto: node:internal/crypto/*, dist/tokens/jws.js, jose; JSON: JSON.stringify/parse. The profiler samples',
    'every 0.5 ms and costs some CPU itself: the CPU figures of a --profile run are not comparable with those of a plain run.',
    "It samples the JavaScript thread only: Latchkey's RS256 signatures (ID tokens) run in libuv's thread pool and are not in",
    'these shares, though their CPU is in the server CPU of the main table.',
  );
  return out;
}
