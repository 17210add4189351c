// The goals of issue 17 with their verdicts, and the floor of each token path: the bare node:http
// exchange plus the cryptography the path must do, against what each server spends.
import type { InprocRow, Row } from './report.ts';
import { baseline, measured, ratios, TITLES, x } from './report.ts';
import type { ScenarioId } from './systems/types.ts';

/** Server CPU ratio goals (oidc-provider CPU per op ÷ Latchkey's), for Latchkey on SQLite, 1 process. */
const GOALS: readonly [ScenarioId, number][] = [
  ['client_credentials', 2],
  ['refresh_token', 1.5],
  ['refresh_token_no_id', 1.5],
  ['introspection', 1.5],
  ['code_flow_returning', 2],
];
const GOAL_SYSTEM = 'latchkey-sqlite-1';

const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const inprocMicros = (inproc: readonly InprocRow[], name: string, alg: string) =>
  inproc.find((r) => r.name === name && r.alg === alg)?.cpuMicrosPerOp;
export const ARGON2_CHECK = 'argon2id password check (verifyPassword)';

export function targetLines(rows: readonly Row[], inproc: readonly InprocRow[]): string[] {
  const out: string[] = [];
  const goalRows = rows.filter((r) => r.systemId === GOAL_SYSTEM);
  const goalLabel = goalRows[0]?.system ?? 'Latchkey, SQLite, 1 process';
  for (const [scenario, goal] of GOALS) {
    const row = goalRows.find((r) => r.scenario === scenario);
    const q = row && ratios(row, baseline(rows, scenario, 'oidc-provider'));
    out.push(
      q
        ? `${scenario}: CPU ratio oidc-provider ÷ ${goalLabel} ${x(q.cpu)}, goal ≥ ${x(goal)} ${verdict(q.cpu >= goal)}`
        : `${scenario}: CPU ratio goal ≥ ${x(goal)} not measured (${row?.note ?? `needs oidc-provider and ${GOAL_SYSTEM} in the run`})`,
    );
  }
  const first = goalRows.find((r) => r.scenario === 'code_flow_first');
  const argon = inprocMicros(inproc, ARGON2_CHECK, 'argon2id');
  if (measured(first) && argon !== undefined) {
    const flowMicros = first.cpuMs * 1000;
    out.push(
      `code_flow_first: argon2id (one hash, ${(argon / 1000).toFixed(1)} ms CPU in one thread) is ${((100 * argon) / flowMicros).toFixed(0)}% of ${goalLabel}'s ${first.cpuMs.toFixed(1)} ms server CPU per first sign-in; the rest is ${(first.cpuMs - argon / 1000).toFixed(1)} ms`,
    );
  }
  for (const id of [...new Set(rows.filter((r) => r.kind === 'latchkey').map((r) => r.systemId))]) {
    const mine = rows.filter((r) => r.systemId === id);
    const label = mine[0]?.system ?? id;
    if (id !== GOAL_SYSTEM) {
      const parts = GOALS.flatMap(([scenario]) => {
        const row = mine.find((r) => r.scenario === scenario);
        const q = row && ratios(row, baseline(rows, scenario, 'oidc-provider'));
        return q ? [`${scenario} ${x(q.cpu)}`] : [];
      });
      if (parts.length > 0) out.push(`${label}, CPU ratio oidc-provider ÷ Latchkey (for information): ${parts.join('; ')}`);
    }
    const errors = mine
      .filter((r) => (r.errors ?? 0) > 0 || r.note?.startsWith('failed'))
      .map((r) => `${r.scenario} (${r.errors ?? 'failed'})`);
    out.push(`${label}, no request errors: ${errors.length === 0 ? '**met**' : `**missed**: ${errors.join(', ')}`}`);
    const rss = mine.filter((r) => r.rssStartMb !== undefined && r.rssEndMb !== undefined);
    const firstRss = rss[0];
    const last = rss[rss.length - 1];
    if (firstRss?.rssStartMb !== undefined && last?.rssEndMb !== undefined) {
      const peak = Math.max(...rss.map((r) => r.rssEndMb ?? 0));
      out.push(
        `${label}, server RSS over its whole run: ${firstRss.rssStartMb.toFixed(0)} MB → ${last.rssEndMb.toFixed(0)} MB (peak at a window end ${peak.toFixed(0)} MB)`,
      );
    }
  }
  for (const alg of ['ES256', 'RS256']) {
    const jose = inproc.find((r) => r.alg === alg && r.name === 'jose jwtVerify, local key');
    const mine = inproc.find((r) => r.alg === alg && r.name === 'Latchkey verifyAccessToken');
    if (!jose || !mine) continue;
    const rate = mine.opsPerSec / jose.opsPerSec;
    const cpu = jose.cpuMicrosPerOp / mine.cpuMicrosPerOp;
    out.push(`verifyAccessToken ≥ 90% of jose jwtVerify, ${alg}: ${x(rate)} rate, ${x(cpu)} CPU ${verdict(rate >= 0.9 && cpu >= 0.9)}`);
  }
  return out;
}

/** The cryptography each path must do, by the names of the in-process measurements. */
const FLOOR_CRYPTO: Partial<Record<ScenarioId, { what: string; ops: [string, string][] }>> = {
  client_credentials: { what: 'ES256 sign', ops: [['node:crypto sign', 'ES256']] },
  introspection: { what: 'ES256 verify', ops: [['node:crypto verify', 'ES256']] },
  refresh_token: {
    what: 'ES256 sign + RS256 sign',
    ops: [
      ['node:crypto sign', 'ES256'],
      ['node:crypto sign', 'RS256'],
    ],
  },
  refresh_token_no_id: { what: 'ES256 sign', ops: [['node:crypto sign', 'ES256']] },
  code_flow_returning: {
    what: 'ES256 sign + RS256 sign',
    ops: [
      ['node:crypto sign', 'ES256'],
      ['node:crypto sign', 'RS256'],
    ],
  },
  code_flow_first: {
    what: 'ES256 sign + RS256 sign + argon2id',
    ops: [
      ['node:crypto sign', 'ES256'],
      ['node:crypto sign', 'RS256'],
      [ARGON2_CHECK, 'argon2id'],
    ],
  },
};

const micros = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} ms` : `${n.toFixed(0)} µs`);

/**
 * Per path: the floor (node:http CPU per request × the server's requests per op, plus the
 * cryptography), and each server's CPU per op as a multiple of it.
 */
export function floorTable(rows: readonly Row[], inproc: readonly InprocRow[]): string[] {
  const http = baseline(rows, 'client_credentials', 'ceiling');
  if (!measured(http)) return ['The floor needs the bare node:http ceiling (system node-http) and client_credentials in the run.'];
  const httpMicros = http.cpuMs * 1000;
  const systems = [...new Set(rows.filter((r) => r.kind !== 'ceiling' && measured(r)).map((r) => r.system))];
  const out = [
    `| Path | Floor: node:http + cryptography | ${systems.map((s) => `${s}: CPU per op, × floor`).join(' | ')} |`,
    `|---|---|${systems.map(() => '--:').join('|')}|`,
  ];
  for (const [scenario, floor] of Object.entries(FLOOR_CRYPTO) as [ScenarioId, NonNullable<(typeof FLOOR_CRYPTO)[ScenarioId]>][]) {
    const mine = rows.filter((r) => r.scenario === scenario && r.kind !== 'ceiling');
    if (mine.length === 0) continue;
    const crypto = floor.ops.map(([name, alg]) => inprocMicros(inproc, name, alg));
    if (crypto.some((c) => c === undefined)) {
      out.push(`| ${TITLES[scenario]} | the in-process crypto measurements are missing | ${systems.map(() => '').join(' | ')} |`);
      continue;
    }
    const cryptoMicros = (crypto as number[]).reduce((s, c) => s + c, 0);
    const cells = systems.map((system) => {
      const row = mine.find((r) => r.system === system);
      if (!measured(row)) return '';
      const requests = row.requestsPerOp ?? 1;
      const floorMicros = requests * httpMicros + cryptoMicros;
      return `${micros(row.cpuMs * 1000)}, ${x((row.cpuMs * 1000) / floorMicros)} (floor ${micros(floorMicros)}${requests > 1.01 ? `, ${requests.toFixed(1)} requests` : ''})`;
    });
    out.push(`| ${TITLES[scenario]} | ${micros(httpMicros)} per request + ${floor.what} ${micros(cryptoMicros)} | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    'node:http is the ceiling server’s CPU per client_credentials-shaped request in this run; the cryptography is node:crypto (and',
    'argon2id through verifyPassword) in one thread, measured in-process. A code flow’s floor counts the HTTP exchange once for each',
    'request of that server’s flow (the two servers redirect differently). No durable write is counted in the floor.',
  );
  return out;
}
