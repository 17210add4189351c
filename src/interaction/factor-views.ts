// The pages of the second-factor step (the code, the enrolment of an authenticator app, the
// recovery codes shown once) and the passkey form they share with the login page.
import type { OAuthResponse } from '../http/types.ts';
import { type AccountView, accountPage } from './account-views.ts';
import { esc } from './escape.ts';
import { type PageStyle, page, pageStyle } from './page.ts';
import { PASSKEY_SCRIPT, type PasskeyForm, passkeyForm } from './passkey-form.ts';
import { strings } from './strings.ts';

/** The data of the second-factor page (`Views.mfa`). */
export interface MfaView {
  action: string;
  csrf: string;
  formTargets: readonly string[];
  /** Asks for a code (authenticator app or recovery code). */
  code: boolean;
  /** A passkey ceremony, when the user has one. */
  passkey?: PasskeyForm;
  /** Enrolment of an authenticator app, when the user has no factor yet. */
  enrol?: { qr: string; secret: string };
  error?: string;
  /** The lead paragraph, when not the step's own. */
  lead?: string;
  /** Fields the code form posts besides `csrf` and `code` (the account page's `op`). */
  hidden?: Record<string, string>;
}

export function mfaPage(v: MfaView, status = 200, style?: PageStyle): OAuthResponse {
  const error = v.error ? `<p class="error" role="alert" id="mfa-error">${esc(v.error)}</p>` : '';
  const described = v.error ? ' aria-describedby="mfa-error"' : '';
  const title = v.enrol ? strings.mfaEnrolTitle : strings.mfaTitle;
  const lead = v.lead ?? (v.enrol ? strings.mfaEnrolLead : v.passkey && v.code ? strings.mfaPasskeyLead : strings.mfaLead);
  const enrol = v.enrol
    ? `<p class="qr"><img src="${esc(v.enrol.qr)}" alt="QR code of the authenticator app's key" width="200" height="200"></p>
<p>${esc(strings.mfaSecretLabel)}</p>
<p><code class="secret">${esc(v.enrol.secret)}</code></p>`
    : '';
  const passkey = v.passkey ? passkeyForm(v.passkey) : '';
  const code = v.code
    ? `<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
${Object.entries(v.hidden ?? {})
  .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
  .join('')}
<label for="code">${esc(strings.mfaCode)}</label>
<input id="code" name="code" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required autofocus maxlength="32"${described}>
<button type="submit" class="primary">${esc(v.enrol ? strings.mfaConfirm : strings.mfaVerify)}</button>
</form>`
    : '';
  const divider = passkey && code ? `<p class="divider">${esc(strings.orDivider)}</p>` : '';
  return page(
    status,
    title,
    `<h1>${esc(title)}</h1>
<p class="lead">${esc(lead)}</p>
${error}
${enrol}
${passkey}${divider}${code}`,
    v.formTargets,
    style,
    'en',
    passkey ? PASSKEY_SCRIPT : [],
  );
}

/** The data of the page that shows new recovery codes once (`Views.recoveryCodes`). */
export interface RecoveryCodesView {
  /** Where Continue goes (a form post, with `csrf` and `continue=1`). */
  action: string;
  csrf: string;
  codes: string[];
  formTargets: readonly string[];
}

export function recoveryCodesPage(v: RecoveryCodesView, style?: PageStyle): OAuthResponse {
  return page(
    200,
    strings.recoveryTitle,
    `<h1>${esc(strings.recoveryTitle)}</h1>
<p class="lead">${esc(strings.recoveryLead)}</p>
<ol class="codes">
${v.codes.map((c) => `<li><code>${esc(c)}</code></li>`).join('\n')}
</ol>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<button type="submit" name="continue" value="1" class="primary">${esc(strings.continue)}</button>
</form>`,
    v.formTargets,
    style,
  );
}

/** The templates of the strong sign-in pages, with the operator's stylesheet (like `Views`). */
export interface FactorViews {
  mfa(view: MfaView, status?: number): OAuthResponse;
  recoveryCodes(view: RecoveryCodesView): OAuthResponse;
  account(view: AccountView, status?: number): OAuthResponse;
}

export function createFactorViews(options: { css?: string } = {}): FactorViews {
  const style = pageStyle(options.css);
  return {
    mfa: (view, status) => mfaPage(view, status, style),
    recoveryCodes: (view) => recoveryCodesPage(view, style),
    account: (view, status) => accountPage(view, status, style),
  };
}
