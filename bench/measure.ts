// One measured window: warm-up, then the window, with the server's CPU and RSS read right around it,
// the load generators' own CPU time accounted apart, and optionally a CPU profile of the window.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { forkTs, nextMessage, stop } from './lib/children.ts';
import { usage } from './lib/proc.ts';
import { startWindow } from './lib/profiling.ts';
import { isType, type LoadSpec, type Measured } from './load/types.ts';
import type { Row } from './report.ts';
import type { ScenarioId, Sut, SystemSpec } from './systems/types.ts';

export interface Window {
  warmup: number;
  seconds: number;
  /** Profile the window (the server must have been started with a profile directory). */
  profile?: boolean;
  /** Sample the server's RSS this often during the window, in milliseconds. */
  rssEveryMs?: number;
}

/** The server's processes, the database's and any further instance's: CPU seconds and RSS bytes. */
function serverUsage(sut: Sut): { cpuSeconds: number; rssBytes: number; processes: number } {
  const roots = [sut.pid, ...(sut.extraPids?.() ?? [])].map(usage);
  const db = (sut.databasePids?.() ?? []).reduce((sum, pid) => sum + usage(pid).cpuSeconds, 0);
  return {
    cpuSeconds: roots.reduce((s, u) => s + u.cpuSeconds, 0) + db,
    rssBytes: roots.reduce((s, u) => s + u.rssBytes, 0),
    processes: roots.reduce((s, u) => s + u.processes, 0),
  };
}

export async function measure(scenario: ScenarioId, system: SystemSpec, sut: Sut, specs: LoadSpec[], w: Window): Promise<Row> {
  const children: ChildProcess[] = specs.map(() => forkTs(join(import.meta.dirname, 'load', 'generator.ts')));
  const limit = (s: number) => (s + 60) * 1000;
  const all = <T>(f: (child: ChildProcess, i: number) => Promise<T>) => Promise.all(children.map(f));
  try {
    await all((c) => nextMessage(c, isType('ready'), 30_000, 'load generator'));
    await all((c, i) => {
      c.send({ type: 'prepare', spec: specs[i] });
      return nextMessage(c, isType('prepared'), 120_000, 'load generator prepare');
    });
    await all((c) => {
      c.send({ type: 'run', seconds: w.warmup });
      return nextMessage(c, isType('result'), limit(w.warmup), 'warm-up');
    });
    const stopProfile =
      w.profile && sut.profileDir ? await startWindow(sut.profileDir, [sut.pid, ...(sut.extraPids?.() ?? [])]) : undefined;
    const before = serverUsage(sut);
    const loadBefore = children.reduce((s, c) => s + usage(c.pid as number).cpuSeconds, 0);
    const rss: number[] = [before.rssBytes];
    const sampler = w.rssEveryMs ? setInterval(() => rss.push(serverUsage(sut).rssBytes), w.rssEveryMs) : undefined;
    let results: Measured[];
    try {
      results = await all(async (c) => {
        c.send({ type: 'run', seconds: w.seconds });
        return (await nextMessage(c, isType('result'), limit(w.seconds), 'measurement')).result;
      });
    } finally {
      if (sampler) clearInterval(sampler);
    }
    const after = serverUsage(sut);
    rss.push(after.rssBytes);
    const loadCpu = children.reduce((s, c) => s + usage(c.pid as number).cpuSeconds, 0) - loadBefore;
    const profiles = stopProfile ? await stopProfile(scenario) : undefined;
    const m = combine(results);
    const row: Row = {
      scenario,
      system: system.label,
      systemId: system.id,
      kind: system.kind,
      unit: specs[0]?.kind === 'flow' ? 'flows/s' : 'req/s',
      rate: m.count / m.seconds,
      p50: m.p50,
      p99: m.p99,
      cpuMs: m.count > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / m.count : Number.NaN,
      loadCpuMs: m.count > 0 ? (loadCpu * 1000) / m.count : Number.NaN,
      requestsPerOp: m.count > 0 ? m.requests / m.count : Number.NaN,
      rssStartMb: before.rssBytes / 2 ** 20,
      rssEndMb: after.rssBytes / 2 ** 20,
      processes: after.processes,
      errors: m.errors,
      ...(m.errors > 0 ? { note: `errors: ${m.lastError.slice(0, 160)}` } : {}),
      ...(profiles ? { profiles } : {}),
    };
    if (w.rssEveryMs) row.rssSamplesMb = rss.map((b) => b / 2 ** 20);
    return row;
  } finally {
    await Promise.all(children.map((c) => stop(c)));
  }
}

/** Several generators' windows as one: counts add up, the latencies are the worst generator's. */
function combine(results: Measured[]): Measured {
  if (results.length === 1 && results[0]) return results[0];
  return {
    count: results.reduce((s, r) => s + r.count, 0),
    requests: results.reduce((s, r) => s + r.requests, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((s, r) => s + r.errors, 0),
    lastError: results.map((r) => r.lastError).find((e) => e) ?? '',
  };
}
