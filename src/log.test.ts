import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createLogger, redactNested } from './log.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, log: createLogger('info', sink) };
}

describe('log redaction', () => {
  test('secrets at the top of a line and one level down never reach the output', async () => {
    const { lines, log } = capture();
    const child = log.child({ request_id: 'r1' });
    child.info(
      { password: 'pw1', client_secret: 's1', code: 'c1', code_verifier: 'v1', refresh_token: 'rt1', access_token: 'at1', id_token: 'it1' },
      'top',
    );
    child.info({ body: { password: 'pw2', username: 'ann' }, client: { client_secret: 's2', client_id: 'app' } }, 'nested');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    for (const secret of ['pw1', 's1', 'c1', 'v1', 'rt1', 'at1', 'it1', 'pw2', 's2']) assert.ok(!text.includes(`"${secret}"`), secret);
    assert.equal(lines[0]?.password, '[redacted]');
    assert.deepEqual(lines[1]?.body, { password: '[redacted]', username: 'ann' });
    assert.deepEqual(lines[1]?.client, { client_secret: '[redacted]', client_id: 'app' });
    assert.equal(lines[1]?.request_id, 'r1');
  });

  test('a line without secrets is written as it is, and the caller’s object is never changed', () => {
    const plain = { event: 'token.issued', client_id: 'app', nested: { a: 1 } };
    assert.equal(redactNested(plain), plain);
    const inner = { password: 'pw', user: 'ann' };
    const fields = { body: inner };
    const out = redactNested(fields);
    assert.deepEqual(out, { body: { password: '[redacted]', user: 'ann' } });
    assert.equal(inner.password, 'pw');
    assert.equal(fields.body, inner);
  });
});
