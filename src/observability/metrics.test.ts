import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { type Logger, pino } from 'pino';
import { countingLogger, serverMetrics } from './audit.ts';
import { createMetrics } from './metrics.ts';

describe('metrics registry', () => {
  test('renders counters with sorted, escaped labels', () => {
    const m = createMetrics();
    const c = m.counter('x_total', 'Things.');
    c.inc({ b: '2', a: 'q"uo\\te' });
    c.inc({ a: 'q"uo\\te', b: '2' }, 2);
    c.inc();
    assert.equal(c.get({ b: '2', a: 'q"uo\\te' }), 3);
    const text = m.render();
    assert.match(text, /^# HELP x_total Things\.\n# TYPE x_total counter\n/);
    assert.match(text, /^x_total\{a="q\\"uo\\\\te",b="2"\} 3$/m);
    assert.match(text, /^x_total 1$/m);
  });

  test('renders cumulative histogram buckets, sum and count', () => {
    const m = createMetrics();
    const h = m.histogram('d_seconds', 'Durations.', [0.1, 1]);
    h.observe({ route: '/token' }, 0.05);
    h.observe({ route: '/token' }, 0.5);
    h.observe({ route: '/token' }, 3);
    const text = m.render();
    assert.match(text, /^d_seconds_bucket\{le="0.1",route="\/token"\} 1$/m);
    assert.match(text, /^d_seconds_bucket\{le="1",route="\/token"\} 2$/m);
    assert.match(text, /^d_seconds_bucket\{le="\+Inf",route="\/token"\} 3$/m);
    assert.match(text, /^d_seconds_sum\{route="\/token"\} 3.55$/m);
    assert.match(text, /^d_seconds_count\{route="\/token"\} 3$/m);
  });

  test('registering a name twice returns the same instrument; a kind clash or a bad name throws', () => {
    const m = createMetrics();
    assert.equal(m.counter('a_total', 'A'), m.counter('a_total', 'A'));
    assert.throws(() => m.histogram('a_total', 'A', [1]), /already a counter/);
    assert.throws(() => m.counter('bad-name', 'B'), /invalid metric name/);
  });

  test('registries are independent', () => {
    const a = createMetrics();
    const b = createMetrics();
    a.counter('c_total', 'C').inc();
    assert.equal(b.counter('c_total', 'C').get(), 0);
  });
});

describe('countingLogger', () => {
  function capture(): { lines: Record<string, unknown>[]; log: Logger } {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    return { lines, log: pino({ level: 'info' }, sink) };
  }

  test('counts audit events through the logger and each child of it, which carries its bindings', async () => {
    const { lines, log: base } = capture();
    const metrics = serverMetrics(createMetrics());
    const log = countingLogger(base, metrics);
    log.info({ event: 'token.issued', grant_type: 'refresh_token' }, 'outside');
    const request = log.child({ request_id: 'r1' });
    request.info({ event: 'login.failure' }, 'inside');
    request.warn({ event: 'refresh.reuse' }, 'inside');
    request.debug({ event: 'code.issued' }, 'below the level, still counted');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines[0]?.request_id, undefined);
    assert.equal(lines[1]?.request_id, 'r1');
    assert.equal(lines[2]?.request_id, 'r1');
    assert.equal(lines.length, 3);
    assert.equal(metrics.tokensIssued.get({ grant_type: 'refresh_token' }), 1);
    assert.equal(metrics.loginFailures.get(), 1);
    assert.equal(metrics.reuseDetected.get({ kind: 'refresh_token' }), 1);
    assert.equal(metrics.events.get({ event: 'code.issued' }), 1);
    assert.equal(log.level, 'info');
  });
});
