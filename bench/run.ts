// `npm run bench`: Latchkey side by side with node-oidc-provider and the bare node:http ceiling, in one run.
// Every server and load generator is a child process on 127.0.0.1; every phase is bounded in time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ARGON2_PARAMS } from '../src/accounts/passwords.ts';
import type { InprocResult } from './inproc/verify.ts';
import { forkTs, nextMessage, stop } from './lib/children.ts';
import { machine } from './lib/machine.ts';
import { measure } from './measure.ts';
import { type InprocRow, inprocTable, profileTable, type Row, resultTable, SCENARIOS } from './report.ts';
import { runScale } from './scale.ts';
import { CONNECTIONS, FLOW_CONCURRENCY, loadFor } from './scenarios.ts';
import type { SectionContext } from './sections.ts';
import { SYSTEMS } from './systems/index.ts';
import type { ScenarioId, StartOptions, Sut, SystemSpec } from './systems/types.ts';
import { runTableSize } from './table-size.ts';
import { floorTable, targetLines } from './targets.ts';

const SECTIONS = ['scale', 'table-size'] as const;
type Section = (typeof SECTIONS)[number];
/** The ceiling answers the same body to anything: only request-shaped scenarios make sense for it. */
const CEILING_SCENARIOS: readonly ScenarioId[] = ['discovery', 'jwks', 'client_credentials'];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    systems: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    profile: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    'table-size': { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  process.stdout.write(`npm run bench -- [--quick] [--only ID]... [--systems ID]... [--seconds N] [--profile] [--scale] [--table-size] [--out FILE]
  --only     runs only these (comma-separated or repeated): ${[...SCENARIOS, 'verify', ...SECTIONS].join(', ')}
  --systems  runs the main table on these only: ${SYSTEMS.map((s) => s.id).join(', ')}
  --quick    2 s per window instead of 5 (--seconds N sets it), a 20 s soak instead of 60 s
  --scale    also: client_credentials and refresh_token throughput of Latchkey SQLite --workers 2 and of two
             instances over one PostgreSQL against one process, the load generators' CPU, and the RSS of
             Latchkey SQLite over a 60 s client_credentials run (about 3 minutes more)
  --table-size also: refresh_token and introspection CPU per op with 10^5 and 10^6 grants and refresh tokens
             in the tables against a small table, on SQLite and PostgreSQL (about 3 minutes more)
  --profile  profiles each measured window of each server alone (V8 CPU profiles in a temporary directory, one
             folder per system and scenario) and prints where the CPU goes per token path; one file in detail:
             node --import tsx bench/profile-summary.ts FILE.cpuprofile
  --out FILE writes the printed markdown to FILE too
`);
  process.exit(0);
}

const only = new Set((flags.only ?? []).flatMap((s) => s.split(',')));
for (const s of only) if (![...SCENARIOS, 'verify', ...SECTIONS].includes(s)) fail(`unknown scenario "${s}" (see --help)`);
const onlySystems = new Set((flags.systems ?? []).flatMap((s) => s.split(',')));
for (const s of onlySystems) if (!SYSTEMS.some((x) => x.id === s)) fail(`unknown system "${s}"`);
/** The opt-in sections run when their flag is given or when --only names them; the rest unless --only leaves them out. */
const optedIn = new Set<string>([...(flags.scale ? ['scale'] : []), ...(flags['table-size'] ? ['table-size'] : [])]);
const wanted = (s: ScenarioId | 'verify' | Section) =>
  (SECTIONS as readonly string[]).includes(s) ? optedIn.has(s) || only.has(s) : only.size === 0 || only.has(s);

const quick = flags.quick === true;
const seconds = flags.seconds !== undefined ? Number(flags.seconds) : quick ? 2 : 5;
if (!(seconds > 0 && seconds <= 60)) fail('--seconds must be between 0 and 60');
const warmup = Math.round(Math.min(1, seconds / 3) * 10) / 10;
const PASSWORD = 'correct horse battery staple';
// Enough never-signed-in users for the first-sign-in scenario at any plausible rate.
const USERS = Math.ceil(200 * (seconds + warmup)) + FLOW_CONCURRENCY + 1;
const SECTION_MS = 8 * 60 * 1000;
const HARD_LIMIT_MS = 10 * 60 * 1000 + SECTIONS.filter(wanted).length * SECTION_MS;
/** Past this, the remaining scenarios are skipped (and say so) so that the table still comes out in time. */
const BUDGET_MS = 8.5 * 60 * 1000;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const startedAt = Date.now();
const overall = setTimeout(() => {
  process.stderr.write(`bench: the run took longer than ${HARD_LIMIT_MS / 60_000} minutes; stopping\n`);
  process.exit(1);
}, HARD_LIMIT_MS);
overall.unref();

const log = (line: string) => process.stderr.write(`${line}\n`);
const rows: Row[] = [];
const notes: string[] = [];
const profileDir = flags.profile ? mkdtempSync(join(tmpdir(), 'latchkey-bench-profiles-')) : undefined;

await main();

async function main(): Promise<void> {
  const header = machine();
  log(`bench: ${header.join('; ')}`);
  const systems = SYSTEMS.filter((s) => onlySystems.size === 0 || onlySystems.has(s.id));
  const httpScenarios = SCENARIOS.filter(wanted);
  if (httpScenarios.length > 0) {
    for (const system of systems) await runSystem(system, httpScenarios);
  }
  // The floor of each path and argon2id's share need the crypto measured in one thread; `verify` adds the full table.
  let inproc: InprocRow[] = [];
  const full = wanted('verify');
  if (full || httpScenarios.some((s) => s !== 'discovery' && s !== 'jwks')) {
    if (Date.now() - startedAt > BUDGET_MS) notes.push('The in-process measurements were skipped: the run was out of its time budget.');
    else inproc = await runInproc(full);
  }

  const sectionFailures: string[] = [];
  const context: SectionContext = {
    warmup,
    seconds,
    quick,
    options: { userPrefix: 'bench', users: USERS, password: PASSWORD, profileDir: undefined },
    log,
    failures: sectionFailures,
  };
  const scale = wanted('scale') ? await runScale(context) : [];
  const tableSize = wanted('table-size') ? await runTableSize(context) : [];

  const out = [
    '### Machine',
    '',
    ...header.map((l) => `- ${l}`),
    `- load average at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; ${Math.round((Date.now() - startedAt) / 1000)} s in all`,
    `- ${seconds} s measured per scenario after ${warmup} s of warm-up; ${CONNECTIONS} connections (autocannon), ${FLOW_CONCURRENCY} concurrent browsers for code flows`,
    `- password hashing: argon2id m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism} (src/accounts/passwords.ts), on both servers in the first-sign-in flow`,
    '',
  ];
  if (httpScenarios.length > 0) out.push('### Servers', '', ...resultTable(rows), '', ...notes.map((n) => `- ${n}`), '');
  if (full && inproc.length > 0) out.push('### Token verification and signing in one thread (no HTTP)', '', ...inprocTable(inproc), '');
  if (httpScenarios.length > 0) out.push('### The floor of each path', '', ...floorTable(rows, inproc), '');
  if (scale.length > 0) out.push('### Scale-out and memory (--scale)', '', ...scale, '');
  if (tableSize.length > 0) out.push('### Cost against table size (--table-size)', '', ...tableSize, '');
  const breakdown = profileTable(rows);
  if (breakdown.length > 0) out.push('### Where the CPU goes (profile of each measured window)', '', ...breakdown, '');
  if (httpScenarios.length > 0) out.push('### Targets', '', ...targetLines(rows, inproc).map((l) => `- ${l}`), '');
  const text = out.join('\n');
  process.stdout.write(`\n${text}`);
  if (flags.out) writeFileSync(flags.out, text);
  if (profileDir) log(`bench: CPU profiles in ${profileDir}`);
  const failed = [...rows.filter((r) => r.note?.startsWith('failed')).map((r) => `${r.systemId} ${r.scenario}`), ...sectionFailures];
  if (failed.length > 0) {
    log(`bench: ${failed.length} scenario(s) failed: ${failed.join(', ')}`);
    process.exit(1);
  }
  process.exit(0);
}

async function runSystem(system: SystemSpec, scenarios: readonly ScenarioId[]): Promise<void> {
  const applicable = system.kind === 'ceiling' ? scenarios.filter((s) => CEILING_SCENARIOS.includes(s)) : scenarios;
  if (applicable.length === 0) return;
  const reason = await system.unavailable();
  if (reason) {
    log(`bench: ${system.label}: left out, ${reason}`);
    notes.push(`${system.label}: not measured, ${reason}.`);
    return;
  }
  log(`bench: starting ${system.label}`);
  const options: StartOptions = { userPrefix: 'bench', users: USERS, password: PASSWORD, profileDir };
  let sut: Sut;
  try {
    sut = await system.start(options);
  } catch (e) {
    log(`bench: ${system.label} did not start: ${(e as Error).message}`);
    notes.push(`${system.label}: did not start (${(e as Error).message.split('\n')[0]}).`);
    return;
  }
  try {
    for (const scenario of applicable) {
      const missing =
        sut.missing[scenario] ?? (Date.now() - startedAt > BUDGET_MS ? 'skipped: the run is out of its time budget' : undefined);
      if (missing) {
        rows.push(emptyRow(scenario, system, missing));
        continue;
      }
      try {
        const spec = await loadFor(scenario, sut, options);
        log(`bench: ${system.label}: ${scenario}`);
        rows.push(await measure(scenario, system, sut, [spec], { warmup, seconds, profile: profileDir !== undefined }));
      } catch (e) {
        log(`bench: ${system.label}: ${scenario} failed: ${(e as Error).stack ?? String(e)}`);
        rows.push(emptyRow(scenario, system, `failed: ${(e as Error).message.split('\n')[0]?.slice(0, 120)}`));
      }
    }
  } finally {
    await sut.stop();
  }
}

function emptyRow(scenario: ScenarioId, system: SystemSpec, note: string): Row {
  return { scenario, system: system.label, kind: system.kind, systemId: system.id, note };
}

async function runInproc(full: boolean): Promise<InprocRow[]> {
  log(`bench: ${full ? 'token verification and signing' : 'signing, verification and argon2id'} in one thread`);
  const args = full ? [String(quick ? 1.5 : 3)] : [String(quick ? 1 : 2), 'floor'];
  const child = forkTs(join(import.meta.dirname, 'inproc', 'verify.ts'), args);
  try {
    const isInproc = (m: unknown): m is { type: 'inproc'; results: InprocResult[] } =>
      typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'inproc';
    const { results } = await nextMessage(child, isInproc, 180_000, 'verification loop');
    return results;
  } finally {
    await stop(child);
  }
}
