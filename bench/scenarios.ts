// The load of each scenario, built against one system with a sanity request first so that a broken
// set-up fails loudly instead of measuring errors.
import { Browser, basic, newAgent, send } from './lib/browser.ts';
import { codeFlow, type Tokens } from './lib/flow.ts';
import type { LoadSpec } from './load/types.ts';
import { NO_ID_SCOPE, type ScenarioId, type StartOptions, type Sut } from './systems/types.ts';

export const CONNECTIONS = 10;
export const FLOW_CONCURRENCY = 8;

export async function loadFor(scenario: ScenarioId, sut: Sut, options: StartOptions): Promise<LoadSpec> {
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
      case 'refresh_token':
      case 'refresh_token_no_id': {
        // With an ID token on both servers (scope openid), or without on both (no openid in the scope).
        const withId = scenario === 'refresh_token';
        const target = withId ? t : { ...t, scope: NO_ID_SCOPE };
        const idTokenCheck = (answer: Tokens, what: string) => {
          if (withId && typeof answer.id_token !== 'string')
            throw new Error(`${what} has no id_token: the same work on both sides is not done`);
          if (!withId && answer.id_token !== undefined) throw new Error(`${what} has an id_token although the scope has no openid`);
        };
        // Real code flows mint the first refresh tokens; every answer then hands back the next one.
        const counters = { requests: 0, errors: 0, lastError: '' };
        const browser = new Browser(agent, counters);
        const user = { username: `${options.userPrefix}${options.users - 1}`, password: options.password };
        const tokens: string[] = [];
        const deadline = Date.now() + 60_000;
        for (let i = 0; i < 3 * CONNECTIONS && Date.now() < deadline; i++) {
          const minted = await codeFlow(browser, agent, target, i === 0 ? user : undefined);
          if (!minted.refresh_token) throw new Error('the code flow gave no refresh token');
          idTokenCheck(minted, 'the code exchange answer');
          tokens.push(minted.refresh_token);
        }
        if (tokens.length < 2 * CONNECTIONS) throw new Error('could not mint enough refresh tokens in 60 s');
        // The first refresh answer is checked as the measured ones will be; its successor joins the pool.
        const body = `grant_type=refresh_token&refresh_token=${encodeURIComponent(tokens.shift() as string)}`;
        const answer = JSON.parse(
          await expectOk(agent, t.tokenEndpoint, { method: 'POST', headers: form, body }, 'refresh_token'),
        ) as Tokens;
        idTokenCheck(answer, 'the refresh answer');
        tokens.push(answer.refresh_token as string);
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

/** One HTTP load split across several instances: the connections and the refresh tokens are shared out. */
export function splitLoad(spec: LoadSpec, origins: readonly string[] | undefined): LoadSpec[] {
  if (!origins || origins.length < 2 || spec.kind !== 'http') return [spec];
  const n = origins.length;
  return origins.map((origin, i) => {
    const url = new URL(spec.url);
    const part: LoadSpec = {
      ...spec,
      url: `${origin}${url.pathname}${url.search}`,
      connections: Math.max(1, Math.round(spec.connections / n)),
    };
    if (spec.refreshPool) part.refreshPool = { ...spec.refreshPool, tokens: spec.refreshPool.tokens.filter((_, k) => k % n === i) };
    return part;
  });
}
