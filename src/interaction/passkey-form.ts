// The passkey form of the login, second-factor and account pages, and the script it runs.
import { esc } from './escape.ts';
import { strings } from './strings.ts';
import { webauthnScript, webauthnScriptHash } from './webauthn-script.ts';

/** The WebAuthn ceremony's script, for `page`. */
export const PASSKEY_SCRIPT = [{ source: webauthnScript, hash: webauthnScriptHash }] as const;

/** A passkey ceremony on a page: where it posts, its options (JSON) and its challenge handle. */
export interface PasskeyForm {
  action: string;
  csrf: string;
  options: string;
  handle: string;
  /** `register` (account page) or `authenticate`. */
  mode: 'register' | 'authenticate';
  /** Offer the passkey in the username field's autofill (conditional mediation) too. */
  conditional?: boolean;
  label: string;
  /** Fields posted besides the credential (e.g. `op`). */
  hidden?: Record<string, string>;
  /** A text field shown before the button (e.g. the new passkey's name). */
  field?: { name: string; label: string; value: string };
}

export function passkeyForm(f: PasskeyForm): string {
  const hidden = Object.entries(f.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const field = f.field
    ? `<label for="pk-${esc(f.field.name)}">${esc(f.field.label)}</label><input id="pk-${esc(f.field.name)}" name="${esc(f.field.name)}" value="${esc(f.field.value)}" maxlength="64">`
    : '';
  return `<form method="post" action="${esc(f.action)}" data-webauthn="${f.mode}" data-options="${esc(f.options)}" data-failed="${esc(strings.passkeyFailed)}"${f.conditional ? ' data-conditional="1"' : ''}>
<input type="hidden" name="csrf" value="${esc(f.csrf)}">
<input type="hidden" name="handle" value="${esc(f.handle)}">
<input type="hidden" name="credential" value="">
${hidden}${field}
<button type="submit" class="secondary wide">${esc(f.label)}</button>
<p role="status" class="error"></p>
</form>`;
}
