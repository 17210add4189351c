import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareRedirectUri, diagnoseRedirectUri } from './redirect-uri-diagnosis.ts';

const REG = 'https://app.example.com/callback';

describe('compareRedirectUri', () => {
  const cases: [string, string, RegExp][] = [
    ['http://app.example.com/callback', REG, /^scheme differs \("http" vs "https"\)/],
    ['HTTPS://app.example.com/callback', REG, /^scheme differs only in letter case/],
    ['https://evil.example/callback', REG, /^host differs \("evil.example" vs "app.example.com"\)/],
    ['https://App.Example.com/callback', REG, /^host differs only in letter case/],
    ['https://app.example.com:8443/callback', REG, /^port differs \(8443 vs 443, implied\)/],
    ['https://app.example.com:443/callback', REG, /^port is written differently/],
    ['https://app.example.com/callback/', REG, /^path has an extra trailing slash$/],
    ['https://app.example.com/callback', `${REG}/`, /^path lacks the trailing slash$/],
    ['https://app.example.com/Callback', REG, /^path differs only in letter case/],
    ['https://app.example.com/other', REG, /^path differs \("\/other" vs "\/callback"\)/],
    [`${REG}?x=1`, REG, /^query is present in the request but not in the registered URI$/],
    [REG, `${REG}?tenant=a`, /^query is missing/],
    [`${REG}?tenant=b`, `${REG}?tenant=a`, /^query differs/],
    [`${REG}#frag`, REG, /fragment/],
    ['https://user@app.example.com/callback', REG, /user information/],
    ['not a uri', REG, /not an absolute URI/],
  ];
  for (const [given, registered, expected] of cases) {
    test(`${given} vs ${registered}`, () => {
      const diffs = compareRedirectUri(given, registered);
      assert.ok(diffs.length >= 1);
      assert.match(diffs.join('; '), expected);
    });
  }

  test('an exact match has no differences', () => {
    assert.deepEqual(compareRedirectUri(REG, REG), []);
  });

  test('reports every differing component', () => {
    const diffs = compareRedirectUri('http://APP.example.com:8080/callback/?a=1', REG);
    assert.equal(diffs.length, 5);
  });

  test("each side's implied port comes from its own scheme", () => {
    const diffs = compareRedirectUri('https://app.example.com/callback', 'http://app.example.com:8080/callback').join('; ');
    assert.match(diffs, /port differs \(443, implied vs 8080\)/);
    assert.match(
      compareRedirectUri('http://app.example.com:443/callback', REG).join('; '),
      /port is written differently \(443 vs 443, implied\)/,
    );
    assert.match(
      compareRedirectUri('http://app.example.com/callback', 'https://app.example.com:80/callback').join('; '),
      /\(80, implied vs 80\)/,
    );
    assert.match(
      compareRedirectUri('com.example.app://h:1/cb', 'com.example.app://h/cb').join('; '),
      /port differs \(1 vs none, implied\)/,
    );
  });

  test('private-use schemes and loopback ports', () => {
    assert.match(compareRedirectUri('com.example.app:/cb', 'com.example.app:/callback').join(), /path differs/);
    assert.match(compareRedirectUri('http://127.0.0.1:51000/cb', 'http://127.0.0.1:51001/cb').join(), /port differs \(51000 vs 51001\)/);
    assert.match(compareRedirectUri('http://[::1]/cb', 'http://127.0.0.1/cb').join(), /host differs/);
  });

  test('truncates long components', () => {
    const diffs = compareRedirectUri(`https://app.example.com/${'a'.repeat(500)}`, REG);
    assert.ok((diffs[0] ?? '').length < 250);
  });
});

describe('diagnoseRedirectUri', () => {
  test('compares with each registered URI, bounded', () => {
    const registered = Array.from({ length: 30 }, (_, i) => `https://app.example.com/cb${i}`);
    const out = diagnoseRedirectUri('https://app.example.com/cb', registered);
    assert.equal(out.length, 20);
    assert.equal(out[0]?.registered, 'https://app.example.com/cb0');
    assert.match(out[0]?.differences.join() ?? '', /path differs/);
  });
});
