// The interaction record as the pages meet it: live, begun in this browser, and for a form post,
// carrying this interaction's CSRF token. Anything else is a page error (http/errors.ts).
import { pageError } from '../errors.ts';
import { singleParams } from '../http/body.ts';
import type { OAuthRequest } from '../http/types.ts';
import { type CookieDeps, checkCsrf, sameBrowser } from '../interaction/cookies.ts';
import { strings } from '../interaction/strings.ts';
import type { InteractionRecord, InteractionStore } from '../storage/types.ts';

export interface InteractionDeps extends CookieDeps {
  storage: { interactions: Pick<InteractionStore, 'get'> };
  clock: () => number;
}

/** The interaction named in the path, begun in this browser. */
export async function loadInteraction(req: OAuthRequest, deps: InteractionDeps): Promise<InteractionRecord> {
  const id = req.pathParam ?? '';
  const interaction = /^[A-Za-z0-9_-]{43}$/.test(id) ? await deps.storage.interactions.get(id, deps.clock()) : undefined;
  if (!interaction) throw pageError(400, strings.expired);
  if (!sameBrowser(req, deps, interaction.browserHash)) throw pageError(403, strings.csrf);
  return interaction;
}

/** A form posted to an interaction page, checked for CSRF. */
export async function loadPostedInteraction(
  req: OAuthRequest,
  deps: InteractionDeps,
): Promise<{ interaction: InteractionRecord; form: Record<string, string> }> {
  const interaction = await loadInteraction(req, deps);
  const form = singleParams(req.body);
  if (!checkCsrf(req, deps, interaction.id, interaction.browserHash, form.csrf)) throw pageError(403, strings.csrf);
  return { interaction, form };
}
