import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { OAuthResponse } from '../http/types.ts';
import { strings } from './strings.ts';
import { consentPage, errorPage, esc, loginPage } from './views.ts';

const CSRF = 'Hn3c0ntb6ZbRk0fIx8oPZp3zvNuCw2mJ-9kT1nQe_aE';
const ACTION = 'http://127.0.0.1:9000/login/abc';

function header(res: OAuthResponse, name: string): string {
  const value = res.headers[name];
  assert.equal(typeof value, 'string', `header ${name}`);
  return value as string;
}

/** The opening tags of `tag` in the page, with their attributes. */
function tags(html: string, tag: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-z-]+)(?:="([^"]*)")?/gi)) attrs[a[1]?.toLowerCase() ?? ''] = a[2] ?? '';
    out.push(attrs);
  }
  return out;
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

/** Checks the headers and markup every page shares. */
function assertSafePage(res: OAuthResponse, formTargets: readonly string[] = []): void {
  const body = res.body ?? '';
  assert.equal(header(res, 'content-type'), 'text/html; charset=utf-8');
  assert.equal(header(res, 'cache-control'), 'no-store');
  assert.doesNotMatch(body, /<script/i);
  // No inline event handler on any element (quoted attribute values removed first).
  for (const m of body.matchAll(/<[a-z][^>]*>/gi)) {
    assert.doesNotMatch(m[0].replace(/"[^"]*"/g, '""'), /\son[a-z]+\s*=/i, m[0]);
  }

  const csp = directives(header(res, 'content-security-policy'));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  assert.equal(csp.has('script-src'), false);
  assert.deepEqual(csp.get('form-action'), ["'self'", ...formTargets]);

  // The one inline stylesheet is allowed by its hash, and by nothing else.
  const styles = [...body.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(styles.length, 1);
  const css = styles[0]?.[1] ?? '';
  assert.ok(css.length > 0);
  const hash = `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
  assert.deepEqual(csp.get('style-src'), [hash]);
  assert.doesNotMatch(header(res, 'content-security-policy'), /unsafe-inline|unsafe-eval/);
}

describe('esc', () => {
  test('escapes the five HTML-significant characters', () => {
    assert.equal(esc(`&<>"'`), '&#38;&#60;&#62;&#34;&#39;');
    assert.equal(esc(`<a href="x" title='y'>A & B</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;A &#38; B&#60;/a&#62;');
  });

  test('escapes an existing entity again rather than trusting it', () => {
    assert.equal(esc('&amp;'), '&#38;amp;');
  });

  test('leaves other text, including non-ASCII, unchanged', () => {
    assert.equal(esc('Ünïcødé ✓ / = ` plain'), 'Ünïcødé ✓ / = ` plain');
    assert.equal(esc(''), '');
  });
});

describe('loginPage', () => {
  const view = { action: ACTION, csrf: CSRF, clientName: 'Demo App', formTargets: ['https://app.example.com'] };

  test('is a safe page: strict CSP with a hash matching the inline style, no script', () => {
    const res = loginPage(view);
    assert.equal(res.status, 200);
    assertSafePage(res, ['https://app.example.com']);
  });

  test('has labelled username and password fields', () => {
    const body = loginPage(view).body ?? '';
    const labels = tags(body, 'label').map((l) => l.for);
    const inputs = tags(body, 'input');
    const username = inputs.find((i) => i.name === 'username');
    const password = inputs.find((i) => i.name === 'password');
    assert.ok(username && password);
    assert.ok(labels.includes(username.id ?? '-'), 'the username field has a label');
    assert.ok(labels.includes(password.id ?? '-'), 'the password field has a label');
    assert.equal(password.type, 'password');
    assert.equal(password.autocomplete, 'current-password');
    assert.equal(username.autocomplete, 'username');
    assert.ok('required' in username && 'required' in password);
    assert.match(body, new RegExp(`<label for="username">${strings.username}</label>`));
    assert.match(body, new RegExp(`<label for="password">${strings.password}</label>`));
  });

  test('posts to the action with a hidden csrf field', () => {
    const body = loginPage(view).body ?? '';
    const forms = tags(body, 'form');
    assert.equal(forms.length, 1);
    assert.equal(forms[0]?.method, 'post');
    assert.equal(forms[0]?.action, ACTION);
    const csrf = tags(body, 'input').filter((i) => i.name === 'csrf');
    assert.deepEqual(csrf, [{ type: 'hidden', name: 'csrf', value: CSRF }]);
    assert.ok(tags(body, 'button').some((b) => b.type === 'submit'));
  });

  test('names the client, escaped', () => {
    const body = loginPage({ ...view, clientName: '<script>alert("x")</script>' }).body ?? '';
    assert.doesNotMatch(body, /<script/i);
    assert.ok(body.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;'));
  });

  test('escapes the username echoed back and the action', () => {
    const res = loginPage({ ...view, action: 'http://x/"><script>', username: '"><img src=x onerror=alert(1)>', error: 'Wrong <b>' }, 400);
    const body = res.body ?? '';
    assert.equal(res.status, 400);
    assertSafePage(res, ['https://app.example.com']);
    assert.doesNotMatch(body, /<img/i);
    assert.doesNotMatch(body, /<b>/);
    assert.equal(tags(body, 'input').find((i) => i.name === 'username')?.value, '&#34;&#62;&#60;img src=x onerror=alert(1)&#62;');
    assert.equal(tags(body, 'form')[0]?.action, 'http://x/&#34;&#62;&#60;script&#62;');
  });

  test('shows an error as an alert the fields refer to', () => {
    const body = loginPage({ ...view, error: strings.wrongCredentials }, 400).body ?? '';
    assert.match(body, /<p class="error" role="alert" id="login-error">The username or password is not correct\.<\/p>/);
    for (const name of ['username', 'password']) {
      assert.equal(tags(body, 'input').find((i) => i.name === name)?.['aria-describedby'], 'login-error');
    }
    assert.doesNotMatch(loginPage(view).body ?? '', /role="alert"|aria-describedby/);
  });
});

describe('consentPage', () => {
  const view = {
    action: 'http://127.0.0.1:9000/consent/abc',
    csrf: CSRF,
    clientName: 'Demo App',
    user: 'alice',
    scopes: ['openid', 'profile', 'email', 'offline_access', 'api:read'],
    formTargets: ['com.example.app:'],
  };

  test('is a safe page', () => {
    const res = consentPage(view);
    assert.equal(res.status, 200);
    assertSafePage(res, ['com.example.app:']);
  });

  test('lists each scope with its description', () => {
    const body = consentPage(view).body ?? '';
    const items = [...body.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1] ?? '');
    assert.equal(items.length, view.scopes.length);
    view.scopes.forEach((scope, i) => {
      assert.ok(items[i]?.includes(`<code>${scope}</code>`), scope);
      const description = strings.scopes[scope] ?? strings.customScope(scope);
      assert.ok(items[i]?.includes(esc(description)), scope);
    });
    assert.ok(body.includes(esc(strings.customScope('api:read'))));
  });

  test('has Allow and Deny buttons in a form with a hidden csrf field', () => {
    const body = consentPage(view).body ?? '';
    const forms = tags(body, 'form');
    assert.equal(forms.length, 1);
    assert.equal(forms[0]?.method, 'post');
    assert.equal(forms[0]?.action, view.action);
    assert.deepEqual(
      tags(body, 'input').filter((i) => i.name === 'csrf'),
      [{ type: 'hidden', name: 'csrf', value: CSRF }],
    );
    const buttons = tags(body, 'button').map((b) => ({ type: b.type, name: b.name, value: b.value }));
    assert.deepEqual(
      buttons.sort((a, b) => (a.value ?? '').localeCompare(b.value ?? '')),
      [
        { type: 'submit', name: 'decision', value: 'allow' },
        { type: 'submit', name: 'decision', value: 'deny' },
      ],
    );
    assert.match(body, />Allow<\/button>/);
    assert.match(body, />Deny<\/button>/);
  });

  test('escapes the client name, the user and the scopes', () => {
    const body =
      consentPage({
        ...view,
        clientName: '<script>steal()</script>',
        user: '<img src=x>',
        scopes: ['openid', '<b>"x"</b>'],
      }).body ?? '';
    assert.doesNotMatch(body, /<script|<img|<b>/i);
    assert.ok(body.includes('&#60;script&#62;steal()&#60;/script&#62; wants to access your account (&#60;img src=x&#62;).'));
    assert.ok(body.includes('<code>&#60;b&#62;&#34;x&#34;&#60;/b&#62;</code>'));
  });
});

describe('errorPage', () => {
  test('shows the escaped message as an alert with the given status', () => {
    const res = errorPage(403, 'Bad <form>');
    assert.equal(res.status, 403);
    assertSafePage(res);
    const body = res.body ?? '';
    assert.match(body, /<p class="error" role="alert">Bad &#60;form&#62;<\/p>/);
    assert.equal(tags(body, 'form').length, 0);
  });
});
