// `npm run bench`: Latchkey side by side with node-oidc-provider and the bare node:http ceiling, in one run.
// Every server and load generator is a child process on 127.0.0.1; every phase is bounded in time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ARGON2_PARAMS } from '../src/accounts/passwords.ts';
import type { InprocResult } from './inproc/verify.ts';
import { Browser, basic, newAgent, send } from './lib/browser.ts';
import { forkTs, nextMessage, stop } from './lib/children.ts';
import { codeFlow } from './lib/flow.ts';
import { machine } from './lib/machine.ts';
import { usage } from './lib/proc.ts';
import { isType, type LoadSpec, type Measured } from './load/types.ts';
import { type InprocRow, inprocTable, type Row, resultTable, targetLines } from './report.ts';
import { SYSTEMS } from './systems/index.ts';
import type { ScenarioId, StartOptions, Sut, SystemSpec } from './systems/types.ts';

const SCENARIOS: readonly ScenarioId[] = [
  'discovery',
  'jwks',
  'client_credentials',
  'introspection',
  'refresh_token',
  'code_flow_returning',
  'code_flow_first',
];
/** The ceiling answers the same body to anything: only request-shaped scenarios make sense for it. */
const CEILING_SCENARIOS: readonly ScenarioId[] = ['discovery', 'jwks', 'client_credentials'];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    systems: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  process.stdout.write(`npm run bench -- [--quick] [--only SCENARIO]... [--systems ID]... [--seconds N] [--profile] [--out FILE]
  scenarios: ${[...SCENARIOS, 'verify'].join(', ')}
  systems:   ${SYSTEMS.map((s) => s.id).join(', ')}
  --profile  writes V8 CPU profiles of the servers to a temporary directory (summarise with bench/profile-summary.ts)
`);
  process.exit(0);
}

const only = new Set((flags.only ?? []).flatMap((s) => s.split(',')));
for (const s of only) if (![...SCENARIOS, 'verify'].includes(s)) fail(`unknown scenario "${s}"`);
const onlySystems = new Set((flags.systems ?? []).flatMap((s) => s.split(',')));
for (const s of onlySystems) if (!SYSTEMS.some((x) => x.id === s)) fail(`unknown system "${s}"`);
const wanted = (s: ScenarioId | 'verify') => only.size === 0 || only.has(s);

const quick = flags.quick === true;
const seconds = flags.seconds !== undefined ? Number(flags.seconds) : quick ? 2 : 5;
if (!(seconds > 0 && seconds <= 60)) fail('--seconds must be between 0 and 60');
const warmup = Math.round(Math.min(1, seconds / 3) * 10) / 10;
const CONNECTIONS = 10;
const FLOW_CONCURRENCY = 8;
const PASSWORD = 'correct horse battery staple';
// Enough never-signed-in users for the first-sign-in scenario at any plausible rate.
const USERS = Math.ceil(200 * (seconds + warmup)) + FLOW_CONCURRENCY + 1;
const HARD_LIMIT_MS = 10 * 60 * 1000;
/** Past this, the remaining scenarios are skipped (and say so) so that the table still comes out in time. */
const BUDGET_MS = 8.5 * 60 * 1000;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const startedAt = Date.now();
const overall = setTimeout(() => {
  process.stderr.write('bench: the run took longer than 10 minutes; stopping\n');
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
  let inproc: InprocRow[] = [];
  if (wanted('verify')) {
    if (Date.now() - startedAt > BUDGET_MS) notes.push('The in-process verification loop was skipped: the run was out of its time budget.');
    else inproc = await runInproc();
  }

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
  if (inproc.length > 0) out.push('### Token verification and signing in one thread (no HTTP)', '', ...inprocTable(inproc), '');
  out.push('### Targets', '', ...targetLines(rows, inproc).map((l) => `- ${l}`), '');
  const text = out.join('\n');
  process.stdout.write(`\n${text}`);
  if (flags.out) writeFileSync(flags.out, text);
  if (profileDir) log(`bench: CPU profiles in ${profileDir}`);
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
        rows.push(await measure(scenario, system, sut, spec));
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

/** Builds the load for one scenario, with a sanity request first so that a broken set-up fails loudly. */
async function loadFor(scenario: ScenarioId, sut: Sut, options: StartOptions): Promise<LoadSpec> {
  const t = sut.target;
  const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t.clientId, t.clientSecret) };
  const agent = newAgent(2);
  try {
    switch (scenario) {
      case 'discovery':
      case 'jwks': {
        const url = scenario === 'discovery' ? sut.discoveryUrl : sut.jwksUrl;
        await expectOk(agent, url, { method: 'GET' });
        return { kind: 'http', url, method: 'GET', headers: {}, connections: CONNECTIONS };
      }
      case 'client_credentials': {
        const body = `grant_type=client_credentials&scope=${encodeURIComponent(t.serviceScope)}`;
        await expectOk(agent, t.tokenEndpoint, { method: 'POST', headers: form, body }, 'access_token');
        return { kind: 'http', url: t.tokenEndpoint, method: 'POST', headers: form, body, connections: CONNECTIONS };
      }
      case 'introspection': {
        const i = sut.introspection;
        if (!i || !t.introspectionEndpoint) throw new Error('no introspection endpoint');
        const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(i.clientId, i.clientSecret) };
        const body = `token=${encodeURIComponent(await i.token())}&token_type_hint=access_token`;
        const answer = await expectOk(agent, t.introspectionEndpoint, { method: 'POST', headers, body });
        if ((JSON.parse(answer) as { active?: unknown }).active !== true) throw new Error(`the token is not active: ${answer}`);
        return { kind: 'http', url: t.introspectionEndpoint, method: 'POST', headers, body, connections: CONNECTIONS };
      }
      case 'refresh_token': {
        // Real code flows mint the first refresh tokens; every answer then hands back the next one.
        const counters = { requests: 0, errors: 0, lastError: '' };
        const browser = new Browser(agent, counters);
        const user = { username: `${options.userPrefix}${options.users - 1}`, password: options.password };
        const tokens: string[] = [];
        const deadline = Date.now() + 60_000;
        for (let i = 0; i < 3 * CONNECTIONS && Date.now() < deadline; i++) {
          const minted = await codeFlow(browser, agent, t, i === 0 ? user : undefined);
          if (!minted.refresh_token) throw new Error('the code flow gave no refresh token');
          tokens.push(minted.refresh_token);
        }
        if (tokens.length < 2 * CONNECTIONS) throw new Error('could not mint enough refresh tokens in 60 s');
        return {
          kind: 'http',
          url: t.tokenEndpoint,
          method: 'POST',
          headers: form,
          connections: CONNECTIONS,
          refreshPool: { bodyPrefix: 'grant_type=refresh_token&refresh_token=', tokens },
        };
      }
      case 'code_flow_returning':
      case 'code_flow_first':
        return {
          kind: 'flow',
          target: t,
          mode: scenario === 'code_flow_first' ? 'first' : 'returning',
          userPrefix: options.userPrefix,
          // The last user is kept for minting refresh tokens and introspection tokens.
          users: options.users - 1,
          password: options.password,
          concurrency: FLOW_CONCURRENCY,
        };
    }
  } finally {
    agent.destroy();
  }
}

async function expectOk(
  agent: ReturnType<typeof newAgent>,
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
  field?: string,
): Promise<string> {
  const res = await send(agent, url, init);
  if (res.status !== 200) throw new Error(`${init.method} ${url}: ${res.status} ${res.body.slice(0, 300)}`);
  if (field && !(field in (JSON.parse(res.body) as object))) throw new Error(`${url}: no ${field} in ${res.body.slice(0, 300)}`);
  return res.body;
}

/** Warm-up, then the measured window; the server's CPU and RSS are read right around the window. */
async function measure(scenario: ScenarioId, system: SystemSpec, sut: Sut, spec: LoadSpec): Promise<Row> {
  const child = forkTs(join(import.meta.dirname, 'load', 'generator.ts'));
  const limit = (s: number) => (s + 60) * 1000;
  try {
    await nextMessage(child, isType('ready'), 30_000, 'load generator');
    child.send({ type: 'prepare', spec });
    await nextMessage(child, isType('prepared'), 120_000, 'load generator prepare');
    child.send({ type: 'run', seconds: warmup });
    await nextMessage(child, isType('result'), limit(warmup), 'warm-up');
    const dbCpu = () => (sut.databasePids?.() ?? []).reduce((sum, pid) => sum + usage(pid).cpuSeconds, 0);
    const before = usage(sut.pid);
    const dbBefore = dbCpu();
    child.send({ type: 'run', seconds });
    const { result } = await nextMessage(child, isType('result'), limit(seconds), 'measurement');
    const after = usage(sut.pid);
    after.cpuSeconds += dbCpu() - dbBefore;
    return toRow(scenario, system, result, before, after, spec.kind === 'flow' ? 'flows/s' : 'req/s');
  } finally {
    await stop(child);
  }
}

function toRow(
  scenario: ScenarioId,
  system: SystemSpec,
  m: Measured,
  before: ReturnType<typeof usage>,
  after: ReturnType<typeof usage>,
  unit: 'req/s' | 'flows/s',
): Row {
  return {
    scenario,
    system: system.label,
    systemId: system.id,
    kind: system.kind,
    unit,
    rate: m.count / m.seconds,
    p50: m.p50,
    p99: m.p99,
    cpuMs: m.count > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / m.count : Number.NaN,
    rssStartMb: before.rssBytes / 2 ** 20,
    rssEndMb: after.rssBytes / 2 ** 20,
    processes: after.processes,
    errors: m.errors,
    ...(m.errors > 0 ? { note: `errors: ${m.lastError.slice(0, 160)}` } : {}),
  };
}

async function runInproc(): Promise<InprocRow[]> {
  log('bench: token verification and signing in one thread');
  const child = forkTs(join(import.meta.dirname, 'inproc', 'verify.ts'), [String(quick ? 1.5 : 3)]);
  try {
    const isInproc = (m: unknown): m is { type: 'inproc'; results: InprocResult[] } =>
      typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'inproc';
    const { results } = await nextMessage(child, isInproc, 180_000, 'verification loop');
    return results;
  } finally {
    await stop(child);
  }
}
