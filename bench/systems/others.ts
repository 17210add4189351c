// The baselines: node-oidc-provider (in-memory adapter) and the bare node:http ceiling.
import { join } from 'node:path';
import { basic, newAgent, send } from '../lib/browser.ts';
import { forkTs, freePort, nextMessage, stop } from '../lib/children.ts';
import { profiledServer } from '../lib/profiling.ts';
import { type FromLoad, isType } from '../load/types.ts';
import { discover } from './discovery.ts';
import type { OidcProviderOptions } from './oidc-provider-server.ts';
import { benchTarget, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, SERVICE_SCOPE, type Sut, type SystemSpec } from './types.ts';

const ready = isType('ready') as (m: unknown) => m is Extract<FromLoad, { type: 'ready' }>;

export const oidcProviderSystem: SystemSpec = {
  id: 'oidc-provider',
  label: 'oidc-provider 9, in-memory adapter',
  kind: 'oidc-provider',
  unavailable: async () => undefined,
  async start(options) {
    const port = await freePort();
    const config: OidcProviderOptions = {
      port,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
      resource: 'https://api.bench.test',
      userPrefix: options.userPrefix,
      users: options.users,
      password: options.password,
    };
    const profileDir = options.profileDir ? join(options.profileDir, 'oidc-provider') : undefined;
    const profile = profileDir ? profiledServer(profileDir) : undefined;
    const child = forkTs(join(import.meta.dirname, 'oidc-provider-server.ts'), [JSON.stringify(config)], profile?.env, profile?.execArgv);
    try {
      await nextMessage(child, ready, 60_000, 'oidc-provider');
      const base = `http://127.0.0.1:${port}`;
      const meta = await discover(base);
      const target = benchTarget(base, {
        authorizationEndpoint: meta.authorization_endpoint,
        tokenEndpoint: meta.token_endpoint,
        introspectionEndpoint: meta.introspection_endpoint,
      });
      return {
        pid: child.pid as number,
        target,
        discoveryUrl: `${base}/.well-known/openid-configuration`,
        jwksUrl: meta.jwks_uri,
        missing: {},
        ...(profileDir ? { profileDir } : {}),
        introspection: {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          // oidc-provider refuses to introspect JWT access tokens: an opaque one (no resource) is what it can answer for.
          token: async () => {
            const agent = newAgent(1);
            const res = await send(agent, meta.token_endpoint, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(OPAQUE_CLIENT_ID, CLIENT_SECRET) },
              body: `grant_type=client_credentials&scope=${SERVICE_SCOPE}`,
            });
            agent.destroy();
            if (res.status !== 200) throw new Error(`opaque token for introspection: ${res.status} ${res.body}`);
            return (JSON.parse(res.body) as { access_token: string }).access_token;
          },
        },
        stop: () => stop(child, 5000),
      } satisfies Sut;
    } catch (e) {
      await stop(child);
      throw e;
    }
  },
};

export const OPAQUE_CLIENT_ID = 'bench-opaque';

export const ceilingSystem: SystemSpec = {
  id: 'node-http',
  label: 'bare node:http (ceiling)',
  kind: 'ceiling',
  unavailable: async () => undefined,
  async start() {
    const port = await freePort();
    const child = forkTs(join(import.meta.dirname, 'bare-server.ts'), [String(port)]);
    try {
      await nextMessage(child, ready, 30_000, 'node:http');
    } catch (e) {
      await stop(child);
      throw e;
    }
    const base = `http://127.0.0.1:${port}`;
    return {
      pid: child.pid as number,
      target: benchTarget(base, {
        authorizationEndpoint: `${base}/authorize`,
        tokenEndpoint: `${base}/token`,
        introspectionEndpoint: undefined,
      }),
      discoveryUrl: `${base}/.well-known/openid-configuration`,
      jwksUrl: `${base}/jwks`,
      missing: {},
      stop: () => stop(child, 5000),
    };
  },
};
