// --scale: throughput of client_credentials and refresh_token for Latchkey on SQLite with --workers 2
// and for two instances over one PostgreSQL, against one process of the same engine, with the load
// generators' CPU time accounted; and the server's RSS sampled over a long client_credentials run.
import { measure } from './measure.ts';
import { failedRow, measured, ms, type Row, x } from './report.ts';
import { loadFor, splitLoad } from './scenarios.ts';
import type { SectionContext } from './sections.ts';
import { latchkeySystem } from './systems/latchkey.ts';
import type { ScenarioId, SystemSpec } from './systems/types.ts';

const SETUPS: readonly { system: SystemSpec; baseline: string }[] = [
  { system: latchkeySystem({ engine: 'sqlite', workers: 1 }), baseline: 'latchkey-sqlite-1' },
  { system: latchkeySystem({ engine: 'sqlite', workers: 2 }), baseline: 'latchkey-sqlite-1' },
  { system: latchkeySystem({ engine: 'postgres', workers: 1 }), baseline: 'latchkey-postgres-1' },
  { system: latchkeySystem({ engine: 'postgres', workers: 1, instances: 2 }), baseline: 'latchkey-postgres-1' },
];
const SCENARIOS: readonly ScenarioId[] = ['client_credentials', 'refresh_token'];
const SOAK_SYSTEM = 'latchkey-sqlite-1';

export async function runScale(ctx: SectionContext): Promise<string[]> {
  const rows: Row[] = [];
  const notes: string[] = [];
  let soak: Row | undefined;
  const soakSeconds = ctx.quick ? 20 : 60;
  const soakEvery = ctx.quick ? 2000 : 5000;
  for (const { system } of SETUPS) {
    const reason = await system.unavailable();
    if (reason) {
      notes.push(`${system.label}: not measured, ${reason}.`);
      continue;
    }
    ctx.log(`bench: scale-out: starting ${system.label}`);
    let sut: Awaited<ReturnType<SystemSpec['start']>>;
    try {
      sut = await system.start({ ...ctx.options, profileDir: undefined });
    } catch (e) {
      notes.push(`${system.label}: did not start (${(e as Error).message.split('\n')[0]}).`);
      ctx.failures.push(`${system.id} start`);
      continue;
    }
    try {
      for (const scenario of SCENARIOS) {
        try {
          const specs = splitLoad(await loadFor(scenario, sut, ctx.options), sut.origins);
          ctx.log(`bench: scale-out: ${system.label}: ${scenario}`);
          rows.push(await measure(scenario, system, sut, specs, { warmup: ctx.warmup, seconds: ctx.seconds }));
        } catch (e) {
          ctx.log(`bench: scale-out: ${system.label}: ${scenario} failed: ${(e as Error).stack ?? String(e)}`);
          rows.push(failedRow(scenario, system, e));
          ctx.failures.push(`${system.id} ${scenario}`);
        }
      }
      if (system.id === SOAK_SYSTEM) {
        ctx.log(`bench: soak: ${system.label}: client_credentials for ${soakSeconds} s`);
        try {
          const spec = await loadFor('client_credentials', sut, ctx.options);
          soak = await measure('client_credentials', system, sut, [spec], {
            warmup: ctx.warmup,
            seconds: soakSeconds,
            rssEveryMs: soakEvery,
          });
        } catch (e) {
          notes.push(`soak: failed (${(e as Error).message.split('\n')[0]}).`);
          ctx.failures.push(`${system.id} soak`);
        }
      }
    } finally {
      await sut.stop();
    }
  }

  const out = [
    '| Scenario | Setup | Rate | vs one process of the same engine | Server CPU ms per op | Load generator CPU ms per op | Errors |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const scenario of SCENARIOS) {
    for (const row of rows.filter((r) => r.scenario === scenario)) {
      if (!measured(row)) {
        out.push(`| ${scenario} | ${row.system} | ${row.note ?? 'not measured'} | | | | |`);
        continue;
      }
      const baseId = SETUPS.find((s) => s.system.id === row.systemId)?.baseline;
      const base = rows.find((r) => r.scenario === scenario && r.systemId === baseId);
      const vs = base && base !== row && measured(base) ? x(row.rate / base.rate) : '';
      out.push(
        `| ${scenario} | ${row.system} | ${row.rate.toFixed(0)} ${row.unit ?? ''} | ${vs} | ${ms(row.cpuMs)} | ${ms(row.loadCpuMs)} | ${row.errors ?? 0} |`,
      );
    }
  }
  out.push(
    '',
    'The load is the same (10 connections in all); with two instances each gets half the connections and half the refresh tokens from',
    'its own load generator. The machine has few cores shared by the servers, the database and the load generators: the load',
    'generators’ CPU, printed, is taken from the same cores, so the throughput of several processes is bounded by it.',
  );
  if (soak?.rssSamplesMb && soak.rssSamplesMb.length > 0) {
    const s = soak.rssSamplesMb;
    const f = (n: number | undefined) => (n ?? 0).toFixed(0);
    out.push(
      '',
      `RSS of ${soak.system} over a ${soakSeconds} s client_credentials run (${soak.rate?.toFixed(0)} req/s, ${soak.errors ?? 0} errors), sampled every ${soakEvery / 1000} s: start ${f(s[0])} MB, min ${f(Math.min(...s))} MB, max ${f(Math.max(...s))} MB, end ${f(s[s.length - 1])} MB`,
      `(samples: ${s.map((v) => v.toFixed(0)).join(', ')})`,
    );
  }
  out.push(...notes.map((n) => `- ${n}`));
  return out;
}
