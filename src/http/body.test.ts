import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { parseForm, singleParams } from './body.ts';

const LIMIT = 256;

function invalidRequest(pattern?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof OAuthError, `expected an OAuthError, got ${String(e)}`);
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.status, 400);
    if (pattern) assert.match(e.description, pattern);
    return true;
  };
}

describe('parseForm', () => {
  test('parses pairs in order, keeping repeats for the caller to refuse', () => {
    const form = parseForm('grant_type=authorization_code&code=abc&scope=a&scope=b', LIMIT);
    assert.deepEqual(
      [...form],
      [
        ['grant_type', 'authorization_code'],
        ['code', 'abc'],
        ['scope', 'a'],
        ['scope', 'b'],
      ],
    );
  });

  test('returns an empty set for an empty string and skips empty pairs', () => {
    assert.deepEqual([...parseForm('', LIMIT)], []);
    assert.deepEqual([...parseForm('&&a=1&&', LIMIT)], [['a', '1']]);
  });

  test('decodes + as a space and percent-escapes as UTF-8 (application/x-www-form-urlencoded)', () => {
    const form = parseForm('scope=openid+profile&redirect_uri=https%3A%2F%2Fapp%2Fcb%3Fx%3D1&name=%C3%A9t%C3%A9&plus=a%2Bb', LIMIT);
    assert.equal(form.get('scope'), 'openid profile');
    assert.equal(form.get('redirect_uri'), 'https://app/cb?x=1');
    assert.equal(form.get('name'), 'été');
    assert.equal(form.get('plus'), 'a+b');
  });

  test('decodes names too, and treats a pair without = as an empty value', () => {
    const form = parseForm('client%5Fid=x&flag&a+b=c', LIMIT);
    assert.equal(form.get('client_id'), 'x');
    assert.equal(form.get('flag'), '');
    assert.equal(form.get('a b'), 'c');
  });

  test('keeps = signs after the first one in the value', () => {
    assert.equal(parseForm('state=a=b==', LIMIT).get('state'), 'a=b==');
  });

  test('refuses invalid percent-encoding', () => {
    for (const text of ['a=%', 'a=%2', 'a=%zz', 'a=%G0', '%=x', 'a=100%']) {
      assert.throws(() => parseForm(text, LIMIT), invalidRequest(/percent-encoding|UTF-8/), text);
    }
  });

  test('refuses percent-encoded bytes that are not UTF-8', () => {
    // Invalid continuation, lone continuation byte, overlong encoding, encoded surrogate, truncated sequence.
    for (const text of ['a=%C3%28', 'a=%80', 'a=%C0%AF', 'a=%ED%A0%80', 'a=%E2%82', 'a=%FF', '%C3%28=x']) {
      assert.throws(() => parseForm(text, LIMIT), invalidRequest(/UTF-8/), text);
    }
  });

  test('refuses NUL in a value or a name', () => {
    for (const text of ['a=%00', 'a=x%00y', '%00=x', 'a%00b=x']) {
      assert.throws(() => parseForm(text, LIMIT), invalidRequest(/NUL/), text);
    }
  });

  test('refuses a parameter larger than the limit and accepts one at the limit', () => {
    const name = 'code';
    const atLimit = `${name}=${'x'.repeat(LIMIT - name.length)}`;
    assert.equal(parseForm(atLimit, LIMIT).get(name)?.length, LIMIT - name.length);
    assert.throws(() => parseForm(`${atLimit}x`, LIMIT), invalidRequest(/too large/));
    assert.throws(() => parseForm(`ok=1&${'n'.repeat(LIMIT + 1)}`, LIMIT), invalidRequest(/too large/));
  });

  test('measures the size before decoding, so escapes cannot smuggle a large value', () => {
    // 100 encoded characters are 300 bytes on the wire.
    assert.throws(() => parseForm(`v=${'%41'.repeat(100)}`, LIMIT), invalidRequest(/too large/));
  });
});

describe('singleParams', () => {
  test('returns the parameters as a plain object', () => {
    assert.deepEqual(singleParams(new URLSearchParams('a=1&b=2')), { a: '1', b: '2' });
  });

  test('refuses a repeated parameter (RFC 6749 §3.1)', () => {
    assert.throws(() => singleParams(new URLSearchParams('scope=a&scope=b')), invalidRequest(/parameter scope is repeated/));
    assert.throws(() => singleParams(new URLSearchParams('code=x&code=x')), invalidRequest(/parameter code is repeated/));
  });

  test('does not echo an unsafe parameter name in the description', () => {
    assert.throws(
      () =>
        singleParams(
          new URLSearchParams([
            ['<script>', '1'],
            ['<script>', '2'],
          ]),
        ),
      invalidRequest(/^the parameter \(invalid name\) is repeated$/),
    );
    assert.throws(
      () =>
        singleParams(
          new URLSearchParams([
            ['n'.repeat(41), '1'],
            ['n'.repeat(41), '2'],
          ]),
        ),
      (e: unknown) => {
        assert.ok(e instanceof OAuthError);
        assert.doesNotMatch(e.description, /nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn/);
        return true;
      },
    );
  });

  test('treats a parameter sent without a value as omitted (RFC 6749 §3.1)', () => {
    const params = singleParams(new URLSearchParams('client_secret=&scope=openid&state'));
    assert.equal('client_secret' in params, false);
    assert.equal(params.client_secret, undefined);
    assert.deepEqual(params, { scope: 'openid' });
  });

  test('merges query and body, skipping a null source', () => {
    const params = singleParams(new URLSearchParams('client_id=app&state=s'), null, new URLSearchParams('decision=allow'));
    assert.deepEqual(params, { client_id: 'app', state: 's', decision: 'allow' });
  });

  test('refuses a parameter present in both query and body', () => {
    assert.throws(
      () => singleParams(new URLSearchParams('client_id=app'), new URLSearchParams('client_id=app')),
      invalidRequest(/parameter client_id is repeated/),
    );
    assert.throws(
      () => singleParams(new URLSearchParams('client_id=app'), new URLSearchParams('client_id=other')),
      invalidRequest(/parameter client_id is repeated/),
    );
  });

  test('returns an empty object for no sources', () => {
    assert.deepEqual(singleParams(), {});
    assert.deepEqual(singleParams(null), {});
  });
});
