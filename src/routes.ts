// The route table of the server: one line per endpoint. Built by the composition root and handed to
// the HTTP layer, which knows no endpoint (ARCHITECTURE.md "Layers").
import type { Logger } from 'pino';
import { ADMIN_PATH } from './admin/auth.ts';
import { adminEndpoint } from './admin/routes.ts';
import { accountGet, accountPost } from './authorization/account.ts';
import { consentGet, consentPost } from './authorization/consent.ts';
import { deviceGet, devicePost } from './authorization/device.ts';
import { loginGet, loginPost } from './authorization/login.ts';
import { mfaGet, mfaPost } from './authorization/mfa.ts';
import { passkeyLoginPost } from './authorization/passkey-login.ts';
import type { Deps } from './deps.ts';
import { authorizeEndpoint } from './endpoints/authorize.ts';
import { deviceAuthorizationEndpoint } from './endpoints/device-authorization.ts';
import { discoveryEndpoint, jwksEndpoint } from './endpoints/discovery.ts';
import { introspectEndpoint } from './endpoints/introspect.ts';
import { parEndpoint } from './endpoints/par.ts';
import { deleteRegistration, readRegistration, registerEndpoint, updateRegistration } from './endpoints/registration.ts';
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
    { path: '/token', errors: 'json', cors: 'listed', methods: { POST: (r) => tokenEndpoint(r, deps) } },
    { path: '/par', errors: 'json', methods: { POST: (r) => parEndpoint(r, deps) } },
    { path: '/device_authorization', errors: 'json', methods: { POST: (r) => deviceAuthorizationEndpoint(r, deps) } },
    { path: '/device', errors: 'page', methods: { GET: (r) => deviceGet(r, deps), POST: (r) => devicePost(r, deps) } },
    { path: '/userinfo', errors: 'json', methods: { GET: (r) => userinfoEndpoint(r, deps), POST: (r) => userinfoEndpoint(r, deps) } },
    { path: '/introspect', errors: 'json', methods: { POST: (r) => introspectEndpoint(r, deps) } },
    { path: '/revoke', errors: 'json', cors: 'listed', methods: { POST: (r) => revokeEndpoint(r, deps) } },
    { path: '/register', errors: 'json', cors: 'listed', methods: { POST: (r) => registerEndpoint(r, deps) } },
    {
      path: '/register',
      param: true,
      errors: 'json',
      cors: 'listed',
      methods: {
        GET: (r) => readRegistration(r, deps),
        PUT: (r) => updateRegistration(r, deps),
        DELETE: (r) => deleteRegistration(r, deps),
      },
    },
    { path: '/end-session', errors: 'page', methods: { GET: (r) => endSession(r, deps), POST: (r) => endSession(r, deps) } },
    { path: '/jwks', errors: 'json', cors: 'public', methods: { GET: () => jwksEndpoint(deps) } },
    { path: '/.well-known/openid-configuration', errors: 'json', cors: 'public', methods: { GET: () => discoveryEndpoint(deps) } },
    { path: '/.well-known/oauth-authorization-server', errors: 'json', cors: 'public', methods: { GET: () => discoveryEndpoint(deps) } },
    { path: '/healthz', errors: 'json', methods: { GET: () => healthzEndpoint() } },
    { path: '/readyz', errors: 'json', methods: { GET: () => readyzEndpoint(deps) } },
    { path: '/metrics', errors: 'json', methods: { GET: () => metricsEndpoint(deps) } },
  ];
  // The admin API, when on, is served here unless it has its own listener (adminRoutes).
  if (deps.config.admin.enabled && deps.config.admin.port === undefined) table.push(adminRoute(deps));
  return createRouter(
    table,
    log,
    deps.views.error,
    { notFound: strings.notFound, methodNotAllowed: strings.methodNotAllowed },
    deps.config.cors.origins,
  );
}

function adminRoute(deps: Deps): Route {
  // Stored clients only: an admin lookup of a URL-shaped client_id never fetches a metadata document.
  const admin = adminEndpoint({ ...deps, storage: deps.adminStorage });
  return {
    path: ADMIN_PATH,
    prefix: true,
    errors: 'problem',
    methods: { GET: admin, POST: admin, PUT: admin, PATCH: admin, DELETE: admin },
  };
}

/** The route table of the admin API's own listener (`admin.port`): nothing else is served there. */
export function adminRoutes(deps: Deps, log: Logger): Endpoint {
  return createRouter([adminRoute(deps)], log, deps.views.error, {
    notFound: strings.notFound,
    methodNotAllowed: strings.methodNotAllowed,
  });
}
