// RFC 6749 §4.1.1-§4.1.2, OIDC Core §3.1.2: the browser flow. `beginFlow` takes an authorization
// request, `resume` continues it after a page step (login, second factor, consent) recorded its
// outcome; both ask decide.ts what comes next and end through respond.ts. A new step is one more page
// that calls `resume`, and one more branch in `decide`.
import type { Accounts } from '../accounts/account.ts';
import { acrOf } from '../accounts/assurance.ts';
import type { Config } from '../config/schema.ts';
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { browserHash, browserSecret, readCookie, SESSION_COOKIE } from '../interaction/cookies.ts';
import { strings } from '../interaction/strings.ts';
import type { Log } from '../log.ts';
import type {
  AuthorizationParams,
  ClientRecord,
  ClientStore,
  CodeStore,
  ConsentRecord,
  ConsentStore,
  DeviceApproval,
  DeviceCodeStore,
  FactorStore,
  FactorSummary,
  GrantStore,
  InteractionRecord,
  InteractionStore,
  PushedRequestStore,
  SessionRecord,
  SessionStore,
  ThrottleStore,
} from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { ACCOUNT_CLIENT_ID, accountClient } from './account-client.ts';
import { type Decision, type DecisionInput, decide } from './decide.ts';
import { admitInteraction } from './limit.ts';
import { readAuthorizationRequest } from './request.ts';
import { authorizationError, issueCode } from './respond.ts';

/** The slices of the server the browser flow uses. */
export interface FlowDeps {
  config: Config;
  cookieKey: Buffer;
  storage: {
    clients: Pick<ClientStore, 'get'>;
    sessions: Pick<SessionStore, 'get' | 'getForClient'>;
    consents: Pick<ConsentStore, 'get'>;
    interactions: Pick<InteractionStore, 'create' | 'setUser' | 'setConsented' | 'consume'>;
    codes: Pick<CodeStore, 'createWithGrant'>;
    throttle: Pick<ThrottleStore, 'fail'>;
    grants: Pick<GrantStore, 'revoke'>;
    pushedRequests: Pick<PushedRequestStore, 'consume'>;
    deviceCodes: Pick<DeviceCodeStore, 'decide'>;
    factors: Pick<FactorStore, 'summary'>;
  };
  accounts: Pick<Accounts, 'findAccount'>;
  clock: () => number;
  log: Log;
  views: Pick<Deps['views'], 'deviceDone'>;
}

type Headers = Record<string, string | string[]>;
type Step = 'login' | 'mfa' | 'consent';

/** The hash under which this browser's login session is stored, when it sends a plausible cookie. */
function sessionIdHash(req: OAuthRequest, config: Pick<Config, 'issuer'>): string | undefined {
  const id = readCookie(req, SESSION_COOKIE, config);
  return id && id.length <= 100 ? hashToken(id) : undefined;
}

/** The login session of this browser, if it has a live one. */
export async function currentSession(
  req: OAuthRequest,
  deps: { config: Pick<Config, 'issuer'>; storage: { sessions: Pick<SessionStore, 'get'> }; clock: () => number },
): Promise<SessionRecord | undefined> {
  const idHash = sessionIdHash(req, deps.config);
  return idHash ? deps.storage.sessions.get(idHash, deps.clock()) : undefined;
}

/** As currentSession, with the user's consent for `clientId` and their factors read at once. */
async function currentSessionFor(req: OAuthRequest, clientId: string, deps: Pick<FlowDeps, 'config' | 'storage' | 'clock'>) {
  const idHash = sessionIdHash(req, deps.config);
  return idHash ? deps.storage.sessions.getForClient(idHash, deps.clock(), clientId) : undefined;
}

/** The authorization endpoint's flow: validate, then answer at once or send the person to a page. */
export async function beginFlow(req: OAuthRequest, deps: FlowDeps): Promise<OAuthResponse> {
  const { client, params } = await readAuthorizationRequest(req, {
    clients: deps.storage.clients,
    pushedRequests: deps.storage.pushedRequests,
    config: deps.config,
    log: deps.log,
    clock: deps.clock,
  });
  return proceed(req, client, params, deps);
}

/** A validated request (from /authorize, or the account page's own sign-in): answer, or begin a page step. */
export async function proceed(
  req: OAuthRequest,
  client: ClientRecord,
  params: AuthorizationParams,
  deps: FlowDeps,
): Promise<OAuthResponse> {
  const found = await currentSessionFor(req, client.clientId, deps);
  const session = found?.session;
  const decision = await decideFor({ params, client, session, now: deps.clock() }, deps, found);
  switch (decision.next) {
    case 'issue':
      return complete(params, decision, session, deps);
    case 'fail':
      throw authorizationError(params, deps.config.issuer, decision.error, decision.description);
    case 'login':
    case 'mfa':
    case 'consent': {
      // Only a page step needs the browser's CSRF secret (the interaction is bound to it).
      const { secret, setCookie } = browserSecret(req, deps);
      return enterStep(req, decision.next, { params, secret, session }, deps, setCookie ? { 'set-cookie': setCookie } : {});
    }
  }
}

/** Begins an interaction in this browser and sends the person to its first page step. */
export async function enterStep(
  req: OAuthRequest,
  step: Step,
  at: { params: InteractionRecord['params']; secret: string; session: SessionRecord | undefined },
  deps: FlowDeps,
  headers: Headers = {},
): Promise<OAuthResponse> {
  await admitInteraction(req.remoteAddress, deps);
  const id = randomToken();
  const known = step === 'login' ? undefined : at.session;
  await deps.storage.interactions.create({
    id,
    params: at.params,
    browserHash: browserHash(at.secret),
    userId: known ? known.userId : null,
    authTime: known ? known.authTime : null,
    expiresAt: deps.clock() + deps.config.ttl.interaction,
    consented: false,
  });
  return redirect(stepUrl(deps.config, step, id), headers);
}

/** `decide`, with what it needs looked up: remembered consent, the policy, and the user's factors. */
export async function decideFor(
  input: Pick<DecisionInput, 'params' | 'session' | 'now' | 'interaction' | 'consented'> & { client: ClientRecord },
  deps: Pick<FlowDeps, 'config' | 'storage'>,
  /** The session's consent for the client and its user's factors, when read with the session. */
  read?: { consent: ConsentRecord | undefined; factors: FactorSummary },
): Promise<Decision> {
  const { session, client, params } = input;
  // The account page's own sign-in asks for nothing beyond what it requested: no consent to look up.
  const account = client.clientId === ACCOUNT_CLIENT_ID;
  const [stored, factors] = read
    ? [read.consent, factorFlags(read.factors)]
    : session
      ? await Promise.all([
          account ? undefined : deps.storage.consents.get(session.userId, client.clientId),
          factorsOf(session.userId, deps),
        ])
      : [undefined, undefined];
  const remembered = account ? { scopes: splitScope(params.scope), resources: params.resources } : stored;
  const mfaRequired = deps.config.mfa.required;
  return decide({ ...input, remembered, mfaRequired, ...(factors ? { factors } : {}) });
}

/** What decide.ts needs to know of a user's factors. */
export async function factorsOf(userId: string, deps: { storage: { factors: Pick<FactorStore, 'summary'> } }) {
  return factorFlags(await deps.storage.factors.summary(userId));
}

function factorFlags(summary: FactorSummary) {
  return { any: summary.totp || summary.passkeys > 0, passkey: summary.passkeys > 0 };
}

/**
 * The end of a flow that is answered: a code for the client, with how the person authenticated
 * (the ID token's amr, and acr when the request asked for it); the account page's own sign-in
 * goes back to the account page.
 */
function complete(
  params: AuthorizationParams,
  decision: Extract<Decision, { next: 'issue' }>,
  session: SessionRecord | undefined,
  deps: FlowDeps,
  headers: Headers = {},
): Promise<OAuthResponse> {
  if (params.clientId === ACCOUNT_CLIENT_ID) return Promise.resolve(redirect(`${deps.config.issuer}/account`, headers));
  const amr = sessionAmr(session);
  // OIDC Core §2: acr is sent when the request asked for it (acr_values).
  const acr = params.acrValues?.length ? acrOf(amr) : null;
  // The grant remembers the session it was issued in (OIDC Back-Channel Logout 1.0 §2.3).
  return issueCode(params, decision.userId, decision.authTime, deps, headers, { amr, acr, sid: session?.sid ?? null });
}

/** How the session's sign-in authenticated (RFC 8176); a session kept before amr was recorded used a password. */
const sessionAmr = (session: SessionRecord | undefined): string[] => session?.amr ?? ['pwd'];

/** The client of a request: a registered one, or the account page's own. */
export async function clientOf(clientId: string, deps: Pick<FlowDeps, 'config' | 'storage'>): Promise<ClientRecord | undefined> {
  return clientId === ACCOUNT_CLIENT_ID ? accountClient(deps.config) : deps.storage.clients.get(clientId);
}

/** What the flow needs from the page step that hands back to it. */
export interface StepOutcome {
  /** The browser's live session now (a new one right after signing in). */
  session: SessionRecord | undefined;
}

/** Continues an interaction after a page step; ends it (code or error) when nothing is left to ask. */
export async function resume(
  interaction: InteractionRecord,
  outcome: StepOutcome,
  deps: FlowDeps,
  headers: Headers = {},
): Promise<OAuthResponse> {
  const { params } = interaction;
  const client = await clientOf(params.clientId, deps);
  if (!client) throw pageError(400, strings.unknownClient);
  const { session } = outcome;
  const decision = await decideFor(
    // The consent step's outcome, recorded on the interaction (a later step still sees it).
    { params, client, session, interaction, now: deps.clock(), consented: interaction.consented },
    deps,
  );
  switch (decision.next) {
    case 'issue':
      await finish(interaction, deps);
      // RFC 8628 §3.3: a device request ends on a page here; the device learns the outcome by polling.
      // The device's grant remembers how the person signed in here (its ID tokens carry amr), but not
      // this browser's sid: signing out of the browser does not sign the device out.
      if (params.deviceCodeHash) {
        const approval = { userId: decision.userId, authTime: decision.authTime, amr: sessionAmr(session) };
        return endDeviceFlow(interaction, client.name, approval, deps);
      }
      return complete(params, decision, session, deps, headers);
    case 'fail':
      await finish(interaction, deps);
      throw authorizationError(params, deps.config.issuer, decision.error, decision.description);
    case 'login':
      return redirect(stepUrl(deps.config, 'login', interaction.id), headers);
    case 'mfa':
    case 'consent':
      if (session && (interaction.userId !== session.userId || interaction.authTime !== session.authTime)) {
        await deps.storage.interactions.setUser(interaction.id, session.userId, session.authTime);
      }
      return redirect(stepUrl(deps.config, decision.next, interaction.id), headers);
  }
}

/** The person refused on a page: the client hears access_denied (RFC 6749 §4.1.2.1). */
export async function refuse(interaction: InteractionRecord, deps: FlowDeps, description: string): Promise<OAuthResponse> {
  // A client disabled or deleted since the request began is not redirected to (RFC 6749 §4.1.2.1).
  const client = await clientOf(interaction.params.clientId, deps);
  if (!client || client.disabledAt !== null) throw pageError(400, strings.disabledClient);
  await finish(interaction, deps);
  if (interaction.params.deviceCodeHash) return endDeviceFlow(interaction, client.name, 'denied', deps);
  throw authorizationError(interaction.params, deps.config.issuer, 'access_denied', description);
}

/** RFC 8628 §3.3: records the person's decision on the device code, and says it on a page. */
async function endDeviceFlow(
  interaction: InteractionRecord,
  clientName: string,
  outcome: DeviceApproval | 'denied',
  deps: FlowDeps,
): Promise<OAuthResponse> {
  const decided = await deps.storage.deviceCodes.decide(interaction.params.deviceCodeHash as string, outcome, deps.clock());
  if (!decided) throw pageError(400, strings.deviceUnknownCode);
  deps.log.info(
    { event: outcome === 'denied' ? 'device.denied' : 'device.approved', client_id: interaction.params.clientId },
    'device request decided',
  );
  return deps.views.deviceDone(outcome !== 'denied', clientName);
}

/** Each interaction answers the client once: whoever consumes it first answers. */
async function finish(interaction: InteractionRecord, deps: FlowDeps): Promise<void> {
  if (!(await deps.storage.interactions.consume(interaction.id))) throw pageError(400, strings.expired);
}

function stepUrl(config: Config, step: Step, id: string): string {
  return `${config.issuer}/${step}/${id}`;
}
