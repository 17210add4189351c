// The pages of strong sign-in: escaped values, a CSP that allows the WebAuthn script by its hash and
// only on pages with a passkey form, labelled fields.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { OAuthResponse } from '../http/types.ts';
import { accountPage } from './account-views.ts';
import { mfaPage, recoveryCodesPage } from './factor-views.ts';
import type { PasskeyForm } from './passkey-form.ts';

const csp = (res: OAuthResponse) => String(res.headers['content-security-policy']);
const scriptHashes = (body: string) =>
  [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '')
        .digest('base64')}'`,
  );

const passkey: PasskeyForm = {
  action: 'https://as.example/mfa/x',
  csrf: 'tok',
  options: JSON.stringify({ challenge: '"><script>alert(1)</script>' }),
  handle: 'h',
  mode: 'authenticate',
  label: 'Use a passkey',
};

describe('second-factor page', () => {
  test('without a passkey: no script at all, a labelled code field', () => {
    const res = mfaPage({ action: 'https://as.example/mfa/x', csrf: 'tok', formTargets: [], code: true });
    const body = res.body ?? '';
    assert.doesNotMatch(body, /<script/i);
    assert.doesNotMatch(csp(res), /script-src/);
    assert.match(body, /<label for="code">Code<\/label>/);
    assert.match(body, /autocomplete="one-time-code"/);
  });

  test('with a passkey: the one script, allowed by its hash; the options escaped into an attribute', () => {
    const res = mfaPage({ action: 'https://as.example/mfa/x', csrf: 'tok', formTargets: [], code: true, passkey, error: '<b>no</b>' });
    const body = res.body ?? '';
    const hashes = scriptHashes(body);
    assert.equal(hashes.length, 1);
    assert.ok(csp(res).split('; ').includes(`script-src ${hashes[0]}`));
    assert.match(csp(res), /frame-ancestors 'none'/);
    assert.ok(body.includes('data-options="{&#34;challenge&#34;:&#34;\\&#34;&#62;&#60;script&#62;'));
    assert.ok(body.includes('&#60;b&#62;no&#60;/b&#62;'));
    assert.equal([...body.matchAll(/<script>/g)].length, 1);
  });

  test('recovery codes are listed, and Continue posts the CSRF token', () => {
    const body =
      recoveryCodesPage({ action: 'https://as.example/account', csrf: 'tok', codes: ['abcd-efgh-jkmn'], formTargets: [] }).body ?? '';
    assert.match(body, /<li><code>abcd-efgh-jkmn<\/code><\/li>/);
    assert.match(body, /name="csrf" value="tok"/);
    assert.match(body, /name="continue" value="1"/);
  });
});

describe('account page', () => {
  test('every form posts the CSRF token; values are escaped', () => {
    const res = accountPage({
      action: 'https://as.example/account',
      csrf: 'tok',
      signOutAction: 'https://as.example/end-session',
      signOutCsrf: 'out',
      user: { username: 'u', name: '<img src=x>', email: '' },
      totp: false,
      recoveryCodes: 0,
      passkeys: [{ id: 'c"1', name: 'My <key>', created: 'now', lastUsed: null, synced: true }],
      sessions: [{ current: true, signedIn: 'now' }],
      apps: [{ clientId: 'app', name: 'App & Co', scopes: ['openid'] }],
    });
    const body = res.body ?? '';
    const forms = [...body.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]);
    assert.ok(forms.length >= 6);
    for (const f of forms) assert.match(f, /name="csrf" value="(tok|out)"/);
    assert.doesNotMatch(body, /<img src=x>/);
    assert.ok(body.includes('My &#60;key&#62;'));
    assert.ok(body.includes('value="c&#34;1"'));
    assert.ok(body.includes('App &#38; Co'));
    assert.doesNotMatch(body, /<script/i, 'no script without the passkey form');
  });
});
