// The adapter never lets a failure escape: an answer that cannot be written becomes a 500.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { pino } from 'pino';
import { errorPage } from '../interaction/views.ts';
import { nodeHandler } from './node.ts';

test('a response header node refuses to write is answered 500, and the server keeps serving', async () => {
  let calls = 0;
  const handler = nodeHandler(
    async () => {
      calls += 1;
      // A Location that node:http refuses (raw non-ASCII): writeHead throws ERR_INVALID_CHAR.
      return calls === 1 ? { status: 303, headers: { location: 'https://例え.jp/cb' }, body: '' } : { status: 204, headers: {} };
    },
    { bodyBytes: 1024, parameterBytes: 256, https: false, log: pino({ level: 'silent' }), errorPage },
  );
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const bad = await fetch(`${base}/x`, { redirect: 'manual' });
    assert.equal(bad.status, 500);
    assert.equal(((await bad.json()) as { error: string }).error, 'server_error');
    assert.equal((await fetch(`${base}/y`)).status, 204);
  } finally {
    server.close();
  }
});
