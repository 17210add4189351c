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
import type { OAuthRequest } from './http/types.ts';
import { endSession } from './interaction/logout.ts';
import { strings } from './interaction/strings.ts';
import { healthzEndpoint, metricsEndpoint, readyzEndpoint } from './observability/health.ts';

export function routes(deps: Deps, log: Logger): Endpoint {
  // Each endpoint logs through the request's own logger (its lines carry the request id).
  const d = (r: OAuthRequest): Deps =>
    r.log ? { ...deps, log: r.log, ...(deps.storageFor ? { storage: deps.storageFor(r.log) } : {}) } : deps;
  const table: Route[] = [
    { path: '/authorize', errors: 'page', methods: { GET: (r) => authorizeEndpoint(r, d(r)), POST: (r) => authorizeEndpoint(r, d(r)) } },
    { path: '/login', param: true, errors: 'page', methods: { GET: (r) => loginGet(r, d(r)), POST: (r) => loginPost(r, d(r)) } },
    { path: '/mfa', param: true, errors: 'page', methods: { GET: (r) => mfaGet(r, d(r)), POST: (r) => mfaPost(r, d(r)) } },
    { path: '/passkey', param: true, errors: 'page', methods: { POST: (r) => passkeyLoginPost(r, d(r)) } },
    { path: '/account', errors: 'page', methods: { GET: (r) => accountGet(r, d(r)), POST: (r) => accountPost(r, d(r)) } },
    { path: '/consent', param: true, errors: 'page', methods: { GET: (r) => consentGet(r, d(r)), POST: (r) => consentPost(r, d(r)) } },
    { path: '/token', errors: 'json', cors: 'listed', methods: { POST: (r) => tokenEndpoint(r, d(r)) } },
    { path: '/par', errors: 'json', methods: { POST: (r) => parEndpoint(r, d(r)) } },
    { path: '/device_authorization', errors: 'json', methods: { POST: (r) => deviceAuthorizationEndpoint(r, d(r)) } },
    { path: '/device', errors: 'page', methods: { GET: (r) => deviceGet(r, d(r)), POST: (r) => devicePost(r, d(r)) } },
    { path: '/userinfo', errors: 'json', methods: { GET: (r) => userinfoEndpoint(r, d(r)), POST: (r) => userinfoEndpoint(r, d(r)) } },
    { path: '/introspect', errors: 'json', methods: { POST: (r) => introspectEndpoint(r, d(r)) } },
    { path: '/revoke', errors: 'json', cors: 'listed', methods: { POST: (r) => revokeEndpoint(r, d(r)) } },
    { path: '/register', errors: 'json', cors: 'listed', methods: { POST: (r) => registerEndpoint(r, d(r)) } },
    {
      path: '/register',
      param: true,
      errors: 'json',
      cors: 'listed',
      methods: {
        GET: (r) => readRegistration(r, d(r)),
        PUT: (r) => updateRegistration(r, d(r)),
        DELETE: (r) => deleteRegistration(r, d(r)),
      },
    },
    { path: '/end-session', errors: 'page', methods: { GET: (r) => endSession(r, d(r)), POST: (r) => endSession(r, d(r)) } },
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
