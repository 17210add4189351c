// OIDC Core §3.1.2.3-§3.1.2.6, RFC 8252 §8.6: what a browser flow does next, decided in one pure
// function from the request, the browser's session, the remembered consent and the client.
import { levelOf, requiredLevel } from '../accounts/assurance.ts';
import { isSubset, splitScope } from '../grants/scope.ts';
import type { AuthorizationParams, ClientRecord } from '../storage/types.ts';

export interface DecisionInput {
  params: AuthorizationParams;
  client: Pick<ClientRecord, 'tokenEndpointAuthMethod' | 'requireMfa'>;
  /** The browser's live login session, if any, with how it authenticated (RFC 8176 amr; `pwd` when absent). */
  session: { userId: string; authTime: number; amr?: string[] } | undefined;
  /** The configuration asks every sign-in for a second factor (`mfa.required`). */
  mfaRequired?: boolean;
  /**
   * The signed-in user's factors: any (an authenticator app or a passkey: then every sign-in uses
   * it), and whether a passkey (the only phishing-resistant one) is among them.
   */
  factors?: { any: boolean; passkey: boolean };
  /** What the user approved for this client before (scopes and resources), if anything. */
  remembered: { scopes: readonly string[]; resources: readonly string[] } | undefined;
  /** The interaction in progress: the user it is for and the authentication it recorded. */
  interaction?: { userId: string | null; authTime: number | null };
  /** The user allowed this very request on the consent page (recorded on the interaction). */
  consented?: boolean;
  now: number;
}

export type Decision =
  | { next: 'login' }
  | { next: 'consent' }
  | { next: 'mfa' }
  | { next: 'issue'; userId: string; authTime: number }
  | {
      next: 'fail';
      error: 'login_required' | 'consent_required' | 'interaction_required' | 'unmet_authentication_requirements';
      description: string;
    };

/**
 * The next step: sign in, ask consent, or answer the client (a code, or an error for prompt=none).
 * A later step of the browser flow (a second factor, say) is one more branch here.
 */
export function decide(input: DecisionInput): Decision {
  const { params, session, interaction, now } = input;
  const none = params.prompt.includes('none');
  // The person signed in within this interaction: prompt=login and max_age are satisfied by it.
  const signedInHere = !!session && !!interaction && interaction.userId === session.userId && interaction.authTime === session.authTime;
  if (!session || (interaction?.userId && interaction.userId !== session.userId)) {
    // OIDC Core §3.1.2.6: prompt=none may not show a page.
    return none ? { next: 'fail', error: 'login_required', description: 'the user is not signed in' } : { next: 'login' };
  }
  if (!signedInHere && loginRequested(params, session.authTime, now)) {
    return none ? { next: 'fail', error: 'login_required', description: 'the user must sign in again' } : { next: 'login' };
  }
  // Step-up: the session's authentication is weaker than the request or the policy asks.
  const needed = requiredLevel(params.acrValues, !!input.mfaRequired || !!input.client.requireMfa || !!input.factors?.any);
  if (needed > levelOf(session.amr)) {
    if (needed === 3 && input.factors && !input.factors.passkey) {
      return { next: 'fail', error: 'unmet_authentication_requirements', description: 'the user has no phishing-resistant authenticator' };
    }
    return none
      ? { next: 'fail', error: 'interaction_required', description: 'the user must authenticate more strongly' }
      : { next: 'mfa' };
  }
  // A consent recorded on the interaction counts for the person it was given by.
  const consented = input.consented === true && (!interaction || interaction.userId === session.userId);
  if (!consented && consentNeeded(input)) {
    return none
      ? { next: 'fail', error: 'consent_required', description: 'the user has not consented to this request' }
      : { next: 'consent' };
  }
  return { next: 'issue', userId: session.userId, authTime: session.authTime };
}

/** OIDC Core §3.1.2.1: prompt=login and max_age force a new authentication. */
function loginRequested(p: AuthorizationParams, authTime: number, now: number): boolean {
  if (p.prompt.includes('login')) return true;
  // max_age=0 is prompt=login (OIDC Core §3.1.2.1), even within the second of the last sign-in.
  return p.maxAge !== null && (p.maxAge === 0 || now - authTime > p.maxAge);
}

function consentNeeded({ params, client, remembered }: DecisionInput): boolean {
  if (params.prompt.includes('consent')) return true;
  // RFC 8252 §8.6: a native app's identity cannot be assured, so its remembered consent is not used.
  if (isNativeClient(client, params.redirectUri)) return true;
  if (!remembered) return true;
  // Remembered consent covers what was approved: these scopes, and these resources (RFC 8707).
  return !isSubset(splitScope(params.scope), remembered.scopes) || !isSubset(params.resources, remembered.resources);
}

/**
 * RFC 8252 §8.6: a public client redirecting to a loopback address or a private-use URI scheme is a
 * native app, whose identity cannot be assured. A public web client on https is not.
 */
export function isNativeClient(client: Pick<ClientRecord, 'tokenEndpointAuthMethod'>, redirectUri: string): boolean {
  return client.tokenEndpointAuthMethod === 'none' && !redirectUri.startsWith('https://');
}
