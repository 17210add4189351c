import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { packageVersion } from './version.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

test('the version is found from the sources and from a build one level deeper', () => {
  assert.equal(packageVersion(), version);
  assert.equal(packageVersion(join(root, 'dist', 'src', 'cli')), version);
});

test("another package's package.json on the way up is passed over", () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-version-'));
  try {
    mkdirSync(join(dir, 'latchkey', 'node_modules', 'other', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'latchkey', 'package.json'), JSON.stringify({ name: 'latchkey', version: '9.8.7' }));
    writeFileSync(join(dir, 'latchkey', 'node_modules', 'other', 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
    assert.equal(packageVersion(join(dir, 'latchkey', 'node_modules', 'other', 'lib')), '9.8.7');
    assert.throws(() => packageVersion(dir), /cannot find the package.json of latchkey/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
