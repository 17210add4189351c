import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageLanguage, pageStrings, strings, stringsFor } from './strings.ts';

test('ui_locales: the first tag whose language has strings, by primary subtag; English otherwise', () => {
  pageStrings.xx = { ...strings, signIn: 'Xign in' };
  try {
    assert.equal(pageLanguage(['fr-CA', 'XX-yy', 'en']), 'xx');
    assert.equal(stringsFor(pageLanguage(['xx'])).signIn, 'Xign in');
    assert.equal(pageLanguage(['fr', 'de']), 'en');
    assert.equal(pageLanguage(undefined), 'en');
    assert.equal(pageLanguage(['__proto__']), 'en');
    assert.equal(stringsFor('constructor'), strings);
  } finally {
    delete pageStrings.xx;
  }
});
