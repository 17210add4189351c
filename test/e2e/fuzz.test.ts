// Bounded fuzz in npm test: a few thousand seeded malformed requests to every endpoint over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeConnections, fuzz } from '../../scripts/fuzz.ts';
import { startFuzzServer } from './fuzz-server.ts';

let s: Awaited<ReturnType<typeof startFuzzServer>>;

before(async () => {
  s = await startFuzzServer();
});
after(async () => {
  closeConnections();
  await s.close();
});

test('3000 generated malformed requests: no 5xx, the right error shape, the server still serves', async () => {
  const result = await fuzz(s.target, { seed: 20240601, count: 3000, concurrency: 8 });
  assert.equal(result.requests, 3000);
  assert.deepEqual(result.problems, []);
  const fourHundreds = Object.entries(result.statuses)
    .filter(([k]) => k.startsWith('4'))
    .reduce((n, [, v]) => n + v, 0);
  assert.ok(fourHundreds > 1000, `mostly refusals expected: ${JSON.stringify(result.statuses)}`);
  assert.deepEqual(s.errorLines(), []);
  assert.ok(await s.stillServes());
});
