import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { OAuthError, safeDescription } from './errors.ts';

/** RFC 6749 §5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const ALLOWED = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

describe('error descriptions (RFC 6749 §5.2)', () => {
  test('quotes, backslashes, controls and non-ASCII never reach a description', () => {
    const samples = ['say "hi"', 'C:\\path', 'line\nbreak\r\t', 'RFC 7636 §4.1', 'caf\u00e9 \u{1f600} \u2028', '\0\x7f'];
    for (const s of samples) {
      const e = new OAuthError('invalid_request', s);
      assert.match(e.description, ALLOWED, JSON.stringify(s));
      assert.match(e.message, ALLOWED);
    }
    assert.equal(new OAuthError('invalid_request', 'say "hi" \\ x').description, "say 'hi' / x");
  });

  test('fuzz: any string becomes an allowed description of the same length', () => {
    for (let i = 0; i < 2000; i++) {
      const codePoints = Array.from(randomBytes(24), (b, j) => (j % 3 === 0 ? b : j % 3 === 1 ? b * 257 : b % 0x80));
      const input = String.fromCodePoint(...codePoints.map((c) => (c >= 0xd800 && c <= 0xdfff ? 0x41 : c)));
      const out = safeDescription(input);
      assert.match(out, ALLOWED, JSON.stringify(input));
      assert.equal(out.length, input.length);
    }
  });

  test('text that is already allowed is kept as it is', () => {
    const text = "the parameter scope is repeated (see RFC 6749 section 3.1); use 'S256'";
    assert.equal(safeDescription(text), text);
  });

  test('every description written in the sources is allowed as written, and echoes no request value', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(join(import.meta.dirname));
    // The second argument of `new OAuthError(code, '…')` or `` `…` ``, as written.
    const call = /new OAuthError\(\s*'[a-z_]+',\s*(?:'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`)/g;
    // Values a template may show: fixed by the server or checked against a fixed list (grantType), or
    // a parameter name reduced to at most 40 of [A-Za-z0-9_.:-] (safeName); never a raw request value.
    const shown = new Set([
      'FORM',
      'limit',
      "allowed.join(' or ')",
      "PROMPTS.join(', ')",
      'grantType',
      'safeName(name)',
      'MAX_STATE_LENGTH',
      'MAX_NONCE_LENGTH',
      'MAX_LOGIN_HINT_LENGTH',
      'cause',
    ]);
    let seen = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(call)) {
        seen++;
        const literal = m[1] ?? m[2] ?? '';
        const text = literal.replace(/\$\{([^}]*)\}/g, (_, expr: string) => {
          assert.ok(shown.has(expr.trim()), `${file}: the description shows \${${expr}}, a value that may come from the request`);
          return 'x';
        });
        assert.match(text, ALLOWED, `${file}: ${literal}`);
      }
    }
    assert.ok(seen > 40, `found ${seen} descriptions`);
  });
});
