// OIDC Core §3.1.2.4: the consent step — the end-user's approval of the scopes and resources a client
// asks for, remembered per user and client, then handed back to the flow.

import { documentHosts, isDocumentClient } from '../clients/metadata-document.ts';
import type { Deps } from '../deps.ts';
import { pageError } from '../errors.ts';
import { splitScope } from '../grants/scope.ts';
import { formTargets } from '../http/security-headers.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { csrfSecret, csrfToken } from '../interaction/cookies.ts';
import { pageLanguage, strings } from '../interaction/strings.ts';
import { currentSession, refuse, resume } from './flow.ts';
import { loadInteraction, loadPostedInteraction } from './interaction.ts';

export type ConsentDeps = Pick<Deps, 'config' | 'cookieKey' | 'storage' | 'clock' | 'log' | 'views' | 'accounts'>;

export async function consentGet(req: OAuthRequest, deps: ConsentDeps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  const session = await currentSession(req, deps);
  // Signed out (or someone else signed in) since: the flow sends the person to sign in again.
  if (!interaction.userId || session?.userId !== interaction.userId) return resume(interaction, { session }, deps);
  const [client, user] = await Promise.all([
    deps.storage.clients.get(interaction.params.clientId),
    deps.accounts.findAccount(interaction.userId),
  ]);
  if (!client || !user) throw pageError(400, strings.expired);
  return deps.views.consent({
    action: `${deps.config.issuer}/consent/${interaction.id}`,
    csrf: csrfToken(csrfSecret(req, deps), interaction.id),
    clientName: client.name,
    user: user.name ?? user.username,
    scopes: splitScope(interaction.params.scope),
    resources: interaction.params.resources,
    scopeDescriptions: deps.config.scopeDescriptions,
    lang: pageLanguage(interaction.params.uiLocales),
    formTargets: formTargets(interaction.params.redirectUri),
    ...(isDocumentClient(client.clientId, deps.config)
      ? { metadataDocument: documentHosts(client.clientId, client.redirectUris, interaction.params.redirectUri) }
      : {}),
  });
}

export async function consentPost(req: OAuthRequest, deps: ConsentDeps): Promise<OAuthResponse> {
  const { interaction, form } = await loadPostedInteraction(req, deps);
  const { userId, params } = interaction;
  if (form.decision !== 'allow' && form.decision !== 'deny') throw pageError(400, strings.chooseDecision);
  if (form.decision === 'deny') {
    deps.log.info({ event: 'consent.denied', client_id: params.clientId, sub: userId }, 'consent denied');
    return refuse(interaction, deps, 'the user denied the request');
  }
  const session = await currentSession(req, deps);
  // Allow counts only from the person the page was shown to, still signed in (else: sign in again).
  const consented = !!userId && session?.userId === userId;
  if (consented) {
    const before = await deps.storage.consents.get(userId, params.clientId);
    await deps.storage.consents.remember(
      userId,
      params.clientId,
      {
        scopes: [...(before?.scopes ?? []), ...splitScope(params.scope)],
        resources: [...(before?.resources ?? []), ...params.resources],
      },
      deps.clock(),
    );
    // The outcome of this step, on the interaction: whatever step comes next, the flow knows it.
    await deps.storage.interactions.setConsented(interaction.id);
    deps.log.info({ event: 'consent.granted', client_id: params.clientId, sub: userId, scope: params.scope }, 'consent granted');
  }
  return resume({ ...interaction, consented: interaction.consented || consented }, { session }, deps);
}
