// OIDC Core §3.1.2.4: the end-user's consent, remembered per user, client and scope set.
import type { Deps } from '../deps.ts';
import { splitScope } from '../grants/scope.ts';
import { redirect } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import { csrfToken } from './cookies.ts';
import { errorRedirect, formTargets, issueCode } from './flow.ts';
import { isResponse, loadInteraction, loadPostedInteraction } from './interaction.ts';
import { strings } from './strings.ts';

export async function consentGet(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  if (isResponse(interaction)) return interaction;
  if (!interaction.userId) return redirect(`${deps.config.issuer}/login/${interaction.id}`);
  const [client, user] = await Promise.all([
    deps.storage.clients.get(interaction.params.clientId),
    deps.storage.users.getById(interaction.userId),
  ]);
  if (!client || !user) return deps.views.error(400, strings.expired);
  return deps.views.consent({
    action: `${deps.config.issuer}/consent/${interaction.id}`,
    csrf: csrfToken(req.cookies.lk_csrf ?? '', interaction.id),
    clientName: client.name,
    user: user.name ?? user.username,
    scopes: splitScope(interaction.params.scope),
    formTargets: formTargets(interaction.params.redirectUri),
  });
}

export async function consentPost(req: OAuthRequest, deps: Deps): Promise<OAuthResponse> {
  const posted = await loadPostedInteraction(req, deps);
  if (isResponse(posted)) return posted;
  const { interaction, form } = posted;
  const { userId, authTime, params } = interaction;
  if (!userId || authTime === null) return redirect(`${deps.config.issuer}/login/${interaction.id}`);
  if (form.decision !== 'allow' && form.decision !== 'deny') return deps.views.error(400, strings.chooseDecision);
  // Each interaction answers the client once.
  if (!(await deps.storage.interactions.consume(interaction.id))) return deps.views.error(400, strings.expired);
  if (form.decision === 'deny') {
    deps.log.info({ event: 'consent.denied', client_id: params.clientId, sub: userId }, 'consent denied');
    return errorRedirect(params, 'access_denied', 'the user denied the request', deps);
  }
  const previous = await deps.storage.consents.get(userId, params.clientId);
  await deps.storage.consents.remember(userId, params.clientId, [...previous, ...splitScope(params.scope)], deps.clock());
  deps.log.info({ event: 'consent.granted', client_id: params.clientId, sub: userId, scope: params.scope }, 'consent granted');
  return issueCode(params, userId, authTime, deps);
}
