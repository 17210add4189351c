// The account page (`{issuer}/account`): profile, password, authenticator app, recovery codes,
// passkeys, sessions and connected applications. Every form posts `csrf` and `op` to the page.
import type { OAuthResponse } from '../http/types.ts';
import { esc } from './escape.ts';
import { type PageStyle, page } from './page.ts';
import { PASSKEY_SCRIPT, type PasskeyForm, passkeyForm } from './passkey-form.ts';
import { strings } from './strings.ts';

/** The data of the account page (`FactorViews.account`). */
export interface AccountView {
  action: string;
  csrf: string;
  /** Where signing out goes (the end-session endpoint), and its form token. */
  signOutAction: string;
  signOutCsrf: string;
  notice?: string;
  error?: string;
  user: { username: string; name: string; email: string };
  totp: boolean;
  recoveryCodes: number;
  passkeys: { id: string; name: string; created: string; lastUsed: string | null; synced: boolean }[];
  addPasskey?: PasskeyForm;
  sessions: { current: boolean; signedIn: string }[];
  apps: { clientId: string; name: string; scopes: string[] }[];
}

const t = strings.account;

function form(v: AccountView, op: string, inner: string, extra: Record<string, string> = {}): string {
  const hidden = Object.entries(extra)
    .map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`)
    .join('');
  return `<form method="post" action="${esc(v.action)}"><input type="hidden" name="csrf" value="${esc(v.csrf)}"><input type="hidden" name="op" value="${esc(op)}">${hidden}${inner}</form>`;
}

const button = (label: string, kind = 'secondary') => `<button type="submit" class="${kind}">${esc(label)}</button>`;

export function accountPage(v: AccountView, status = 200, style?: PageStyle): OAuthResponse {
  const message = v.error
    ? `<p class="error" role="alert">${esc(v.error)}</p>`
    : v.notice
      ? `<p class="notice" role="status">${esc(v.notice)}</p>`
      : '';
  const profile = form(
    v,
    'profile',
    `<label for="name">${esc(t.name)}</label><input id="name" name="name" autocomplete="name" maxlength="200" value="${esc(v.user.name)}">
<label for="email">${esc(t.email)}</label><input id="email" name="email" type="email" autocomplete="email" maxlength="320" value="${esc(v.user.email)}">
<div class="actions">${button(t.save)}</div>`,
  );
  const password = form(
    v,
    'password',
    `<input type="text" name="username" autocomplete="username" value="${esc(v.user.username)}" hidden>
<label for="current-password">${esc(t.currentPassword)}</label><input id="current-password" name="current" type="password" autocomplete="current-password" required>
<label for="new-password">${esc(t.newPassword)}</label><input id="new-password" name="password" type="password" autocomplete="new-password" minlength="8" required>
<div class="actions">${button(t.changePassword)}</div>`,
  );
  const app = `<p>${esc(v.totp ? t.appOn : t.appOff)}</p>${
    v.totp
      ? form(v, 'totp-remove', `<div class="actions">${button(t.appRemove)}</div>`)
      : form(v, 'totp-begin', `<div class="actions">${button(t.appSetUp)}</div>`)
  }`;
  const recovery = `<p>${esc(t.recoveryLeft(v.recoveryCodes))}</p>${form(v, 'recovery-new', `<div class="actions">${button(t.recoveryNew)}</div>`)}`;
  const keys = v.passkeys.length
    ? `<ul class="items">${v.passkeys
        .map(
          (p) =>
            `<li><span><strong>${esc(p.name)}</strong><br><span class="muted">${esc(t.created(p.created))} · ${esc(p.lastUsed ? t.lastUsed(p.lastUsed) : t.neverUsed)}${p.synced ? ` · ${esc(t.passkeySynced)}` : ''}</span></span>${form(v, 'passkey-remove', button(t.passkeyRemove), { id: p.id })}</li>`,
        )
        .join('')}</ul>`
    : `<p>${esc(t.passkeysNone)}</p>`;
  const sessions = `<ul class="items">${v.sessions
    .map(
      (s) => `<li><span>${esc(t.signedInAt(s.signedIn))}</span>${s.current ? `<span class="muted">${esc(t.thisSession)}</span>` : ''}</li>`,
    )
    .join('')}</ul>${v.sessions.length > 1 ? form(v, 'sessions-end', `<div class="actions">${button(t.signOutOthers)}</div>`) : ''}`;
  const apps = v.apps.length
    ? `<ul class="items">${v.apps
        .map(
          (a) =>
            `<li><span><strong>${esc(a.name)}</strong><br><span class="muted">${esc(a.scopes.join(' '))}</span></span>${form(v, 'app-revoke', button(t.revoke), { client_id: a.clientId })}</li>`,
        )
        .join('')}</ul>`
    : `<p>${esc(t.appsNone)}</p>`;
  return page(
    status,
    t.title,
    `<h1>${esc(t.title)}</h1>
<p class="lead">${esc(v.user.name || v.user.username)} (${esc(v.user.username)})</p>
${message}
<section aria-labelledby="h-profile"><h2 id="h-profile">${esc(t.profile)}</h2>${profile}</section>
<section aria-labelledby="h-password"><h2 id="h-password">${esc(t.password)}</h2>${password}</section>
<section aria-labelledby="h-passkeys"><h2 id="h-passkeys">${esc(t.passkeys)}</h2>${keys}${v.addPasskey ? passkeyForm(v.addPasskey) : ''}</section>
<section aria-labelledby="h-app"><h2 id="h-app">${esc(t.app)}</h2>${app}</section>
<section aria-labelledby="h-recovery"><h2 id="h-recovery">${esc(t.recovery)}</h2>${recovery}</section>
<section aria-labelledby="h-sessions"><h2 id="h-sessions">${esc(t.sessions)}</h2>${sessions}</section>
<section aria-labelledby="h-apps"><h2 id="h-apps">${esc(t.apps)}</h2>${apps}</section>
<section><form method="post" action="${esc(v.signOutAction)}"><input type="hidden" name="csrf" value="${esc(v.signOutCsrf)}"><input type="hidden" name="confirm" value="yes"><div class="actions">${button(t.signOut)}</div></form></section>`,
    [],
    style,
    'en',
    v.addPasskey ? PASSKEY_SCRIPT : [],
  );
}
