import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipBucket, type ThrottlePolicy, waitAfter, waitSteps } from './brute-force.ts';

/** The wait the store derives from the steps after `failures` counted attempts. */
function stepWait(policy: ThrottlePolicy, failures: number): number {
  const step = waitSteps(policy)
    .filter((s) => failures >= s.failures)
    .at(-1);
  return step?.seconds ?? 0;
}

test('the steps given to the store owe the same wait as waitAfter, for every count', () => {
  const policies: ThrottlePolicy[] = [
    { free: 5, lockAfter: 10, lockSeconds: 60 },
    { free: 20, lockAfter: 100, lockSeconds: 60 },
    { free: 3, lockAfter: 6, lockSeconds: 120 },
    { free: 1, lockAfter: 2, lockSeconds: 0 },
    { free: 1, lockAfter: 1_000_000, lockSeconds: 3600 },
  ];
  for (const policy of policies) {
    for (let n = 0; n <= Math.min(policy.lockAfter + 20, 200); n++) {
      assert.equal(stepWait(policy, n), waitAfter(n, policy), `${JSON.stringify(policy)} after ${n}`);
    }
    assert.ok(waitSteps(policy).length <= 20, 'a handful of steps, whatever the policy');
  }
});

test('IPv6 addresses count per /64, IPv4-mapped ones as IPv4', () => {
  assert.equal(ipBucket('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipBucket('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(ipBucket('192.0.2.1'), '192.0.2.1');
});
