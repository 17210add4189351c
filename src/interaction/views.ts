// The server-rendered pages: login, consent and errors. No script; CSP allows only our stylesheet.
import type { OAuthResponse } from '../http/types.ts';
import { type DeviceView, deviceDonePage, devicePage } from './device-views.ts';
import { DEFAULT_STYLE, esc, type PageStyle, page, pageStyle } from './page.ts';
import { strings, stringsFor } from './strings.ts';

export { esc, type PageStyle, page, pageStyle };

import { PASSKEY_SCRIPT, type PasskeyForm, passkeyForm } from './passkey-form.ts';

export function errorPage(status: number, message: string, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  return page(
    status,
    strings.errorTitle,
    `<h1>${esc(strings.errorTitle)}</h1>
<p class="error" role="alert">${esc(message)}</p>
<p>${esc(strings.errorBack)}</p>`,
    [],
    style,
  );
}

/**
 * The data of the login page (`Views.login`).
 *
 * @example
 * ```ts
 * import { escapeHtml, page, type LoginView } from 'latchkey/views';
 *
 * const login = (v: LoginView, status = 200) =>
 *   page(status, 'Sign in', `<h1>Sign in to ${escapeHtml(v.clientName)}</h1>
 * <form method="post" action="${escapeHtml(v.action)}">
 * <input type="hidden" name="csrf" value="${escapeHtml(v.csrf)}">
 * <input name="username"> <input name="password" type="password"> <button>Sign in</button>
 * </form>`, v.formTargets);
 * ```
 */
export interface LoginView {
  action: string;
  csrf: string;
  clientName: string;
  /** Typed before, or the request's `login_hint` (OIDC Core §3.1.2.1). */
  username?: string;
  /** The page language chosen from `ui_locales` (strings.ts `pageLanguage`). */
  lang?: string;
  error?: string;
  formTargets: readonly string[];
  /** Sign-in with a passkey alone, offered beside the password (and in the username's autofill). */
  passkey?: PasskeyForm;
}

export function loginPage(v: LoginView, status = 200, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  const strings = stringsFor(v.lang);
  const error = v.error ? `<p class="error" role="alert" id="login-error">${esc(v.error)}</p>` : '';
  const described = v.error ? ' aria-describedby="login-error"' : '';
  return page(
    status,
    strings.loginTitle,
    `<h1>${esc(strings.loginTitle)}</h1>
<p class="lead">${esc(strings.loginLead(v.clientName))}</p>
${error}
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<label for="username">${esc(strings.username)}</label>
<input id="username" name="username" autocomplete="username${v.passkey ? ' webauthn' : ''}" autocapitalize="none" spellcheck="false" required${v.username ? '' : ' autofocus'} value="${esc(v.username ?? '')}"${described}>
<label for="password">${esc(strings.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${v.username ? ' autofocus' : ''}${described}>
<button type="submit" class="primary">${esc(strings.signIn)}</button>
</form>${v.passkey ? `\n<p class="divider">${esc(strings.orDivider)}</p>\n${passkeyForm(v.passkey)}` : ''}`,
    v.formTargets,
    style,
    v.lang,
    v.passkey ? PASSKEY_SCRIPT : [],
  );
}

/**
 * The data of the consent page (`Views.consent`); its form posts `csrf` and `decision` (`allow` or `deny`).
 *
 * @example
 * ```ts
 * import type { ConsentView } from 'latchkey/views';
 *
 * const describe = (v: ConsentView) => `${v.clientName} asks ${v.user} for ${v.scopes.join(', ')}`;
 * ```
 */
export interface ConsentView {
  action: string;
  csrf: string;
  clientName: string;
  user: string;
  scopes: string[];
  /** RFC 8707 resources the access is for (empty: this server's default audience). */
  resources?: readonly string[];
  formTargets: readonly string[];
  /** What to say for a scope, from the configuration (`scopes` entries with a description). */
  scopeDescriptions?: Readonly<Record<string, string>>;
  /** The page language chosen from `ui_locales` (strings.ts `pageLanguage`). */
  lang?: string;
  /** A client known by its metadata document: the hosts a person must see (MCP 2025-11-25). */
  metadataDocument?: { clientHost: string; redirectHost: string; loopbackOnly: boolean };
}

export function consentPage(v: ConsentView, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  const strings = stringsFor(v.lang);
  const described = (s: string) =>
    (v.scopeDescriptions && Object.hasOwn(v.scopeDescriptions, s) ? v.scopeDescriptions[s] : undefined) ??
    (Object.hasOwn(strings.scopes, s) ? strings.scopes[s] : undefined) ??
    strings.customScope(s);
  const items = v.scopes.map((s) => `<li><span>${esc(described(s))}</span> <code>${esc(s)}</code></li>`).join('\n');
  return page(
    200,
    strings.consentTitle,
    `<h1>${esc(strings.consentTitle)}</h1>
<p class="lead">${esc(strings.consentLead(v.clientName, v.user))}</p>
${
  v.metadataDocument
    ? `<p><strong>${esc(strings.consentClientHost(v.metadataDocument.clientHost))}</strong></p>
<p><strong>${esc(strings.consentRedirectHost(v.metadataDocument.redirectHost))}</strong></p>
${v.metadataDocument.loopbackOnly ? `<p class="notice">${esc(strings.consentLoopbackOnly)}</p>\n` : ''}`
    : ''
}<p>${esc(strings.consentScopesHeading)}</p>
<ul class="scopes">
${items}
</ul>
${
  v.resources?.length
    ? `<p>${esc(strings.consentResourcesHeading)}</p>
<ul class="scopes">
${v.resources.map((r) => `<li><code>${esc(r)}</code></li>`).join('\n')}
</ul>
`
    : ''
}<form method="post" action="${esc(v.action)}" class="actions">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<button type="submit" name="decision" value="deny" class="secondary">${esc(strings.deny)}</button>
<button type="submit" name="decision" value="allow" class="primary">${esc(strings.allow)}</button>
</form>`,
    v.formTargets,
    style,
    v.lang,
  );
}

/**
 * The data of the logout confirmation (`Views.logout`); its form posts `csrf`, the `hidden` fields and
 * `confirm=yes`.
 *
 * @example
 * ```ts
 * import type { LogoutView } from 'latchkey/views';
 *
 * const question = (v: LogoutView) => `Sign out of ${v.clientName ?? 'this site'}?`;
 * ```
 */
export interface LogoutView {
  action: string;
  csrf: string;
  clientName: string | undefined;
  /** Carried through the confirmation unchanged (validated again on submit). */
  hidden: Record<string, string>;
  formTargets: readonly string[];
}

export function logoutPage(v: LogoutView, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  const hidden = Object.entries(v.hidden)
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('\n');
  return page(
    200,
    strings.logoutTitle,
    `<h1>${esc(strings.logoutTitle)}</h1>
<p class="lead">${esc(strings.logoutLead(v.clientName, style.productName))}</p>
<form method="post" action="${esc(v.action)}">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
${hidden}
<button type="submit" name="confirm" value="yes" class="primary">${esc(strings.logoutConfirm)}</button>
</form>`,
    v.formTargets,
    style,
  );
}

export function signedOutPage(style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  return page(200, strings.signedOutTitle, `<h1>${esc(strings.signedOutTitle)}</h1>\n<p>${esc(strings.signedOut)}</p>`, [], style);
}

/**
 * The templates of every page; an operator may replace any of them (`ServerOptions.views`). A
 * replacement is used everywhere that page appears, the router's 404 and 405 included.
 *
 * @example
 * ```ts
 * import { escapeHtml, page, type Views } from 'latchkey/views';
 *
 * const views: Partial<Views> = {
 *   signedOut: () => page(200, 'Signed out', '<h1>See you soon</h1>'),
 *   error: (status, message) => page(status, 'Sorry', `<p>${escapeHtml(message)}</p>`),
 * };
 * ```
 */
export interface Views {
  error(status: number, message: string): OAuthResponse;
  login(view: LoginView, status?: number): OAuthResponse;
  consent(view: ConsentView): OAuthResponse;
  logout(view: LogoutView): OAuthResponse;
  signedOut(): OAuthResponse;
  /** RFC 8628: the page where a person enters the code of a device. */
  device(view: DeviceView, status?: number): OAuthResponse;
  /** RFC 8628: the end of the device flow, allowed or denied. */
  deviceDone(approved: boolean, clientName: string): OAuthResponse;
}

/** The default templates with the given extra stylesheet, and any templates replaced. */
export function createViews(options: { css?: string; productName?: string; overrides?: Partial<Views> } = {}): Views {
  const style = pageStyle(options.css, options.productName);
  return {
    error: (status, message) => errorPage(status, message, style),
    login: (view, status) => loginPage(view, status, style),
    consent: (view) => consentPage(view, style),
    logout: (view) => logoutPage(view, style),
    signedOut: () => signedOutPage(style),
    device: (view, status) => devicePage(view, status ?? 200, style),
    deviceDone: (approved, clientName) => deviceDonePage(approved, clientName, style),
    ...options.overrides,
  };
}
