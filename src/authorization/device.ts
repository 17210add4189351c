// RFC 8628 §3.3 and §5.1: the device page. A person enters (or confirms) the user code their device
// shows; the request it stands for then goes through the browser flow as any other — sign-in, and
// always the consent page showing the client and the scopes (§5.4: the person must see what they
// allow) — and ends on a page (flow.ts). Wrong codes are counted per address and slowed down.
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { browserSecret, csrfSecret, csrfToken } from '../interaction/cookies.ts';
import { strings } from '../interaction/strings.ts';
import type { AuthorizationParams, WaitStep } from '../storage/types.ts';
import { constantTimeEqual, hashToken } from '../tokens/opaque.ts';
import { decide } from './decide.ts';
import { currentSession, enterStep, type FlowDeps } from './flow.ts';
import { normalizeUserCode, userCodeHash } from './user-code.ts';

export type DevicePageDeps = FlowDeps &
  Pick<Deps, 'cookieKey' | 'views'> & {
    storage: FlowDeps['storage'] & Pick<Deps['storage'], 'deviceCodes' | 'throttle'>;
  };

/** The CSRF token of the device form is derived from the browser's secret and this name. */
const FORM = 'device';
/** §5.1: five free attempts per address, then one per 10 s, then one a minute; forgotten after 15 min. */
const WAITS: readonly WaitStep[] = [
  { failures: 5, seconds: 10 },
  { failures: 10, seconds: 60 },
];
const KEEP_SECONDS = 900;

export async function deviceGet(req: OAuthRequest, deps: DevicePageDeps): Promise<OAuthResponse> {
  const { secret, setCookie } = browserSecret(req, deps);
  const typed = req.query.get('user_code');
  const res = deps.views.device({
    action: `${deps.config.issuer}/device`,
    csrf: csrfToken(secret, FORM),
    ...(typed ? { userCode: typed.slice(0, 20) } : {}),
  });
  if (setCookie) res.headers['set-cookie'] = setCookie;
  return res;
}

export async function devicePost(req: OAuthRequest, deps: DevicePageDeps): Promise<OAuthResponse> {
  const form = singleParams(req.body);
  const secret = csrfSecret(req, deps);
  if (!secret || !form.csrf || !constantTimeEqual(csrfToken(secret, FORM), form.csrf)) throw pageError(403, strings.csrf);
  const { config, storage, clock, log } = deps;
  const again = (error: string, status: number) =>
    deps.views.device(
      { action: `${config.issuer}/device`, csrf: form.csrf as string, userCode: (form.user_code ?? '').slice(0, 20), error },
      status,
    );
  const now = clock();
  // RFC 8628 §5.1: user codes are short, so guessing is limited: each attempt is reserved (counted)
  // atomically before the code is looked up; a right code gives its attempt back.
  const key = hashToken(`device-code-entry:${req.remoteAddress}`);
  if (!(await storage.throttle.reserve(key, now, KEEP_SECONDS, WAITS))) {
    log.warn({ event: 'device.throttled' }, 'device code entry refused: too many wrong codes');
    const res = again(strings.deviceTooManyAttempts(60), 429);
    res.headers['retry-after'] = '60';
    return res;
  }
  const normalized = normalizeUserCode(form.user_code ?? '');
  const record = normalized ? await storage.deviceCodes.findPending(userCodeHash(normalized), now) : undefined;
  const client = record ? await storage.clients.get(record.clientId) : undefined;
  if (!record || !client || client.disabledAt !== null) {
    log.info({ event: 'device.code_failure' }, 'a wrong or expired user code was entered');
    return again(strings.deviceUnknownCode, 400);
  }
  await storage.throttle.release(key);
  const params: AuthorizationParams = {
    clientId: client.clientId,
    redirectUri: '',
    redirectUriGiven: false,
    scope: record.scope,
    state: null,
    nonce: null,
    codeChallenge: '',
    // §5.4: the person always sees the client and the scopes, even when they allowed them before.
    prompt: ['consent'],
    maxAge: null,
    resources: record.resources,
    deviceCodeHash: record.deviceCodeHash,
  };
  const session = await currentSession(req, deps);
  const decision = decide({ params, client, session, remembered: undefined, now });
  return enterStep(req, decision.next === 'login' ? 'login' : 'consent', { params, secret, session }, deps);
}
