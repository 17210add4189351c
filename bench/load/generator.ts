// The load generator: a process of its own, so that its CPU time is never counted as the server's.
// HTTP scenarios run on autocannon; code flows run on a programmatic browser at fixed concurrency.
import autocannon from 'autocannon';
import { Browser, type Counters, newAgent } from '../lib/browser.ts';
import { codeFlow } from '../lib/flow.ts';
import type { FlowLoad, FromLoad, HttpLoad, LoadSpec, Measured, ToLoad } from './types.ts';

const reply = (m: FromLoad) => process.send?.(m);

let spec: LoadSpec | undefined;
let pool: string[] = [];
let flows: FlowRunner | undefined;

process.on('message', (m: ToLoad) => {
  handle(m).catch((e: unknown) => reply({ type: 'error', error: (e as Error).stack ?? String(e) }));
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });

async function handle(m: ToLoad): Promise<void> {
  if (m.type === 'exit') process.exit(0);
  if (m.type === 'prepare') {
    spec = m.spec;
    if (spec.kind === 'http') pool = [...(spec.refreshPool?.tokens ?? [])];
    else {
      flows = new FlowRunner(spec);
      await flows.prepare();
    }
    reply({ type: 'prepared' });
    return;
  }
  if (!spec) throw new Error('run before prepare');
  const result = spec.kind === 'http' ? await runHttp(spec, m.seconds) : await (flows as FlowRunner).run(m.seconds);
  reply({ type: 'result', result });
}

async function runHttp(load: HttpLoad, seconds: number): Promise<Measured> {
  let lastError = '';
  const request: autocannon.Request = { method: load.method, path: new URL(load.url).pathname, headers: load.headers };
  if (load.body !== undefined) request.body = load.body;
  const refresh = load.refreshPool;
  if (refresh) {
    // Each refresh token is sent once; the rotated one from the answer goes back to the pool.
    request.setupRequest = (req) => {
      const token = pool.shift();
      if (token === undefined) lastError = 'the refresh token pool ran dry';
      return { ...req, body: `${refresh.bodyPrefix}${token ?? 'exhausted'}` };
    };
    request.onResponse = (status, body) => {
      if (status !== 200) {
        lastError = `${status} ${body.slice(0, 200)}`;
        return;
      }
      const next = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
      if (typeof next === 'string') pool.push(next);
      else lastError = 'no refresh_token in the answer';
    };
  }
  const origin = new URL(load.url).origin;
  const result = await autocannon({
    url: origin,
    connections: load.connections,
    duration: seconds,
    timeout: 10,
    requests: [request],
  });
  const completed = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const bad = result['1xx'] + result['4xx'] + result['5xx'];
  if (bad > 0 && !lastError) lastError = `${bad} answers outside 2xx/3xx`;
  if (result.errors > 0 && !lastError) lastError = `${result.errors} connection errors`;
  return {
    count: completed,
    requests: completed,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad + result.errors + result.timeouts,
    lastError,
  };
}

/** Browsers that run code flows back to back, one flow at a time each. */
class FlowRunner {
  private readonly load: FlowLoad;
  private readonly agent;
  private readonly counters: Counters = { requests: 0, errors: 0, lastError: '' };
  private readonly browsers: Browser[] = [];
  private nextUser: number;

  constructor(load: FlowLoad) {
    this.load = load;
    this.agent = newAgent(load.concurrency * 2);
    this.nextUser = load.concurrency;
    for (let i = 0; i < load.concurrency; i++) this.browsers.push(new Browser(this.agent, this.counters));
  }

  async prepare(): Promise<void> {
    if (this.load.mode !== 'returning') return;
    // Each browser signs in and consents once; the measured flows then ride on that session.
    await Promise.all(
      this.browsers.map((b, i) =>
        codeFlow(b, this.agent, this.load.target, { username: `${this.load.userPrefix}${i}`, password: this.load.password }),
      ),
    );
    if (this.counters.errors > 0) throw new Error(`signing in the returning users failed: ${this.counters.lastError}`);
  }

  async run(seconds: number): Promise<Measured> {
    this.counters.errors = 0;
    this.counters.lastError = '';
    const requestsBefore = this.counters.requests;
    let failedFlows = 0;
    const latencies: number[] = [];
    const start = performance.now();
    const deadline = start + seconds * 1000;
    const worker = async (browser: Browser) => {
      while (performance.now() < deadline) {
        let user: { username: string; password: string } | undefined;
        if (this.load.mode === 'first') {
          if (this.nextUser >= this.load.users) {
            this.counters.lastError = 'ran out of users who never signed in';
            failedFlows++;
            return;
          }
          user = { username: `${this.load.userPrefix}${this.nextUser++}`, password: this.load.password };
          browser.clearCookies();
        }
        const t0 = performance.now();
        try {
          await codeFlow(browser, this.agent, this.load.target, user);
          latencies.push(performance.now() - t0);
        } catch (e) {
          failedFlows++;
          this.counters.lastError = (e as Error).message;
          // A broken flow must not spin: the next attempt waits a little.
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await Promise.all(this.browsers.map(worker));
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return {
      count: latencies.length,
      requests: this.counters.requests - requestsBefore,
      seconds: elapsed,
      p50: at(0.5),
      p99: at(0.99),
      errors: Math.max(failedFlows, this.counters.errors),
      lastError: this.counters.lastError,
    };
  }
}
