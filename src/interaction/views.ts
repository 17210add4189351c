// The server-rendered pages: login, consent and errors. No script; CSP allows only our stylesheet.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pageCsp } from '../http/security-headers.ts';
import type { OAuthResponse } from '../http/types.ts';
import { esc } from './escape.ts';
import { PASSKEY_SCRIPT, type PasskeyForm, passkeyForm } from './passkey-form.ts';
import { strings } from './strings.ts';

export { esc };

const baseCss = readFileSync(new URL('./latchkey.css', import.meta.url), 'utf8');

/**
 * The stylesheet is inlined and allowed by its hash: no other style or script can run.
 *
 * @example
 * ```ts
 * import { page, pageStyle, type PageStyle } from 'latchkey/views';
 *
 * const brand: PageStyle = pageStyle(':root { --lk-accent: #0a7d4f; }');
 * const notice = page(200, 'Maintenance', '<h1>Back soon</h1>', [], brand);
 * ```
 */
export interface PageStyle {
  css: string;
  hash: string;
}

/**
 * The default stylesheet followed by an operator's own (README "Theming the pages"), with its CSP hash.
 *
 * @example
 * ```ts
 * import { pageStyle } from 'latchkey/views';
 *
 * const { css, hash } = pageStyle('.card { border-radius: 0; }');
 * ```
 */
export function pageStyle(extraCss = ''): PageStyle {
  const css = extraCss ? `${baseCss}\n${extraCss}` : baseCss;
  return { css, hash: `'sha256-${createHash('sha256').update(css).digest('base64')}'` };
}

const DEFAULT_STYLE = pageStyle();

/**
 * A complete page: the title, the product name, `main` inside the card, the stylesheet, and the
 * security headers (a CSP allowing only the stylesheet, and form posts only to `formTargets`;
 * `no-store`). `main` is HTML: escape every value in it with `escapeHtml`.
 *
 * @param formTargets where the page's forms post (the `formTargets` of the view data), for the CSP
 * @param style the stylesheet (default: Latchkey's own)
 * @param scripts scripts to include, each allowed by its CSP hash (the WebAuthn ceremony's)
 * @example
 * ```ts
 * import { escapeHtml, page } from 'latchkey/views';
 *
 * const notFound = (path: string) => page(404, 'Not found', `<h1>Not found</h1><p>${escapeHtml(path)}</p>`);
 * ```
 */
export function page(
  status: number,
  title: string,
  main: string,
  formTargets: readonly string[] = [],
  style: PageStyle = DEFAULT_STYLE,
  scripts: readonly { source: string; hash: string }[] = [],
): OAuthResponse {
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)} · ${esc(strings.productName)}</title>
<style>${style.css}</style>
</head>
<body>
<main class="card">
<p class="brand">${esc(strings.productName)}</p>
${main}
</main>
${scripts.map((x) => `<script>${x.source}</script>`).join('\n')}
</body>
</html>
`;
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': pageCsp(
        style.hash,
        formTargets,
        scripts.map((x) => x.hash),
      ),
    },
    body,
  };
}

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
  username?: string;
  error?: string;
  formTargets: readonly string[];
  /** Sign-in with a passkey alone, offered beside the password (and in the username's autofill). */
  passkey?: PasskeyForm;
}

export function loginPage(v: LoginView, status = 200, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
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
  formTargets: readonly string[];
}

export function consentPage(v: ConsentView, style: PageStyle = DEFAULT_STYLE): OAuthResponse {
  const items = v.scopes
    .map((s) => `<li><span>${esc(strings.scopes[s] ?? strings.customScope(s))}</span> <code>${esc(s)}</code></li>`)
    .join('\n');
  return page(
    200,
    strings.consentTitle,
    `<h1>${esc(strings.consentTitle)}</h1>
<p class="lead">${esc(strings.consentLead(v.clientName, v.user))}</p>
<p>${esc(strings.consentScopesHeading)}</p>
<ul class="scopes">
${items}
</ul>
<form method="post" action="${esc(v.action)}" class="actions">
<input type="hidden" name="csrf" value="${esc(v.csrf)}">
<button type="submit" name="decision" value="deny" class="secondary">${esc(strings.deny)}</button>
<button type="submit" name="decision" value="allow" class="primary">${esc(strings.allow)}</button>
</form>`,
    v.formTargets,
    style,
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
<p class="lead">${esc(strings.logoutLead(v.clientName))}</p>
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
}

/** The default templates with the given extra stylesheet, and any templates replaced. */
export function createViews(options: { css?: string; overrides?: Partial<Views> } = {}): Views {
  const style = pageStyle(options.css);
  return {
    error: (status, message) => errorPage(status, message, style),
    login: (view, status) => loginPage(view, status, style),
    consent: (view) => consentPage(view, style),
    logout: (view) => logoutPage(view, style),
    signedOut: () => signedOutPage(style),
    ...options.overrides,
  };
}
