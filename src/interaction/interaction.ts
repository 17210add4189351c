// The interaction record as the pages meet it: live, begun in this browser, and for a form post,
// carrying this interaction's CSRF token.
import type { Deps } from '../deps.ts';
import { singleParams } from '../http/body.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { InteractionRecord } from '../storage/types.ts';
import { checkCsrf, sameBrowser } from './cookies.ts';
import { strings } from './strings.ts';

const isResponse = (x: object): x is OAuthResponse => 'status' in x;

/** The interaction named in the path, or the page to show instead. */
export async function loadInteraction(req: OAuthRequest, deps: Deps): Promise<InteractionRecord | OAuthResponse> {
  const id = req.pathParam ?? '';
  const interaction = /^[A-Za-z0-9_-]{43}$/.test(id) ? await deps.storage.interactions.get(id, deps.clock()) : undefined;
  if (!interaction) return deps.views.error(400, strings.expired);
  if (!sameBrowser(req, interaction.browserHash)) return deps.views.error(403, strings.csrf);
  return interaction;
}

/** A form posted to an interaction page, checked for CSRF; or the page to show instead. */
export async function loadPostedInteraction(
  req: OAuthRequest,
  deps: Deps,
): Promise<{ interaction: InteractionRecord; form: Record<string, string> } | OAuthResponse> {
  const interaction = await loadInteraction(req, deps);
  if (isResponse(interaction)) return interaction;
  const form = singleParams(req.body);
  if (!checkCsrf(req, interaction.id, interaction.browserHash, form.csrf)) return deps.views.error(403, strings.csrf);
  return { interaction, form };
}

export { isResponse };
