// The route table of the server: one line per endpoint. Built by the composition root and handed to
// the HTTP layer, which knows no endpoint (ARCHITECTURE.md "Layers").
import type { Logger } from 'pino';
import { accountGet, accountPost } from './authorization/account.ts';
import { consentGet, consentPost } from './authorization/consent.ts';
import { loginGet, loginPost } from './authorization/login.ts';
import { mfaGet, mfaPost } from './authorization/mfa.ts';
import { passkeyLoginPost } from './authorization/passkey-login.ts';
import type { Deps } from './deps.ts';
import { authorizeEndpoint } from './endpoints/authorize.ts';
import { discoveryEndpoint, jwksEndpoint } from './endpoints/discovery.ts';
import { introspectEndpoint } from './endpoints/introspect.ts';
import { revokeEndpoint } from './endpoints/revoke.ts';
import { tokenEndpoint } from './endpoints/token.ts';
import { userinfoEndpoint } from './endpoints/userinfo.ts';
import { createRouter, type Endpoint, type Route } from './http/router.ts';
import { endSession } from './interaction/logout.ts';
import { strings } from './interaction/strings.ts';
import { healthzEndpoint, metricsEndpoint, readyzEndpoint } from './observability/health.ts';

export function routes(deps: Deps, log: Logger): Endpoint {
  const table: Route[] = [
    { path: '/authorize', errors: 'page', methods: { GET: (r) => authorizeEndpoint(r, deps), POST: (r) => authorizeEndpoint(r, deps) } },
    { path: '/login', param: true, errors: 'page', methods: { GET: (r) => loginGet(r, deps), POST: (r) => loginPost(r, deps) } },
    { path: '/mfa', param: true, errors: 'page', methods: { GET: (r) => mfaGet(r, deps), POST: (r) => mfaPost(r, deps) } },
    { path: '/passkey', param: true, errors: 'page', methods: { POST: (r) => passkeyLoginPost(r, deps) } },
    { path: '/account', errors: 'page', methods: { GET: (r) => accountGet(r, deps), POST: (r) => accountPost(r, deps) } },
    { path: '/consent', param: true, errors: 'page', methods: { GET: (r) => consentGet(r, deps), POST: (r) => consentPost(r, deps) } },
    { path: '/token', errors: 'json', methods: { POST: (r) => tokenEndpoint(r, deps) } },
    { path: '/userinfo', errors: 'json', methods: { GET: (r) => userinfoEndpoint(r, deps), POST: (r) => userinfoEndpoint(r, deps) } },
    { path: '/introspect', errors: 'json', methods: { POST: (r) => introspectEndpoint(r, deps) } },
    { path: '/revoke', errors: 'json', methods: { POST: (r) => revokeEndpoint(r, deps) } },
    { path: '/end-session', errors: 'page', methods: { GET: (r) => endSession(r, deps), POST: (r) => endSession(r, deps) } },
    { path: '/jwks', errors: 'json', methods: { GET: () => jwksEndpoint(deps) } },
    { path: '/.well-known/openid-configuration', errors: 'json', methods: { GET: () => discoveryEndpoint(deps) } },
    { path: '/.well-known/oauth-authorization-server', errors: 'json', methods: { GET: () => discoveryEndpoint(deps) } },
    { path: '/healthz', errors: 'json', methods: { GET: () => healthzEndpoint() } },
    { path: '/readyz', errors: 'json', methods: { GET: () => readyzEndpoint(deps) } },
    { path: '/metrics', errors: 'json', methods: { GET: () => metricsEndpoint(deps) } },
  ];
  return createRouter(table, log, deps.views.error, { notFound: strings.notFound, methodNotAllowed: strings.methodNotAllowed });
}
