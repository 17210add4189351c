// Storage contract, part 9: OpenID Connect Back-Channel Logout 1.0 — ending a session queues one job
// per client with a backchannel_logout_uri that got a grant in it (§2.3), in the same transaction;
// jobs are claimed atomically with a lease (two concurrent claims: one wins), retried, finished.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Storage } from '../../src/storage/types.ts';
import { type Ctx, client, code, grant, NOW, unique, user } from './fixtures.ts';

const URI = 'https://rp.example.com/backchannel';

/** A user with one session (sid given), and clients: `a` and `b` have a URI, `c` none; `d` got no grant. */
async function scene(storage: Storage) {
  const u = user();
  await storage.users.create(u);
  const sid = unique('sid');
  const idHash = unique('session');
  await storage.sessions.create({ idHash, userId: u.id, authTime: NOW, expiresAt: NOW + 3600, sid });
  const [a, b, c, d] = [
    client({ backchannelLogoutUri: URI }),
    client({ backchannelLogoutUri: URI, backchannelLogoutSessionRequired: true }),
    client(),
    client({ backchannelLogoutUri: URI }),
  ];
  for (const x of [a, b, c, d]) await storage.clients.create(x);
  // a got two grants in the session (one job still), b and c one each, d one in another session.
  for (const [cl, s] of [
    [a, sid],
    [a, sid],
    [b, sid],
    [c, sid],
    [d, 'another-session'],
  ] as const) {
    const g = grant({ clientId: cl.clientId, userId: u.id, sid: s });
    await storage.codes.createWithGrant(g, code(g.id, { clientId: cl.clientId, userId: u.id }));
  }
  return { u, sid, idHash, a, b, c, d };
}

async function claimAll(storage: Storage, nowMs = Date.now()) {
  return storage.logoutJobs.claimDue(nowMs, 60_000, 100);
}

export function logoutContract(ctx: Ctx): void {
  describe('back-channel logout jobs', () => {
    test('sessions and grants keep the sid; a client record keeps its logout URI', async () => {
      const { storage } = await ctx.fresh();
      const { u, sid, idHash, b } = await scene(storage);
      assert.equal((await storage.sessions.get(idHash, NOW))?.sid, sid);
      assert.equal((await storage.sessions.listForUser(u.id, NOW))[0]?.sid, sid);
      const [g] = await storage.grants.list({ clientId: b.clientId }, NOW, { limit: 10 });
      assert.equal(g?.sid, sid);
      const stored = await storage.clients.get(b.clientId);
      assert.equal(stored?.backchannelLogoutUri, URI);
      assert.equal(stored?.backchannelLogoutSessionRequired, true);
      await storage.close();
    });

    test('ending a session queues one job per client with a URI that got a grant in it', async () => {
      const { storage } = await ctx.fresh();
      const { u, sid, idHash, a, b } = await scene(storage);
      let told = 0;
      const stop = storage.logoutJobs.onQueued(() => told++);
      await storage.sessions.delete(idHash);
      stop();
      assert.equal(told, 1, 'the listener hears of the commit');
      assert.equal(await storage.sessions.get(idHash, NOW), undefined);
      const jobs = await claimAll(storage);
      assert.deepEqual(jobs.map((j) => j.clientId).sort(), [a.clientId, b.clientId].sort());
      for (const j of jobs) {
        assert.equal(j.userId, u.id);
        assert.equal(j.sid, sid);
        assert.equal(j.attempts, 1);
      }
      await storage.close();
    });

    test('deleteOthers and revokeAccess of a person queue jobs; a session without sid queues none', async () => {
      const { storage } = await ctx.fresh();
      const one = await scene(storage);
      const keep = unique('session');
      await storage.sessions.create({ idHash: keep, userId: one.u.id, authTime: NOW, expiresAt: NOW + 3600, sid: 'kept' });
      assert.equal(await storage.sessions.deleteOthers(one.u.id, keep), 1);
      assert.equal((await claimAll(storage)).length, 2);
      assert.ok(await storage.sessions.get(keep, NOW));

      const two = await scene(storage);
      await storage.revokeAccess({ userId: two.u.id }, NOW);
      assert.equal((await claimAll(storage)).length, 2);

      const old = unique('session');
      await storage.sessions.create({ idHash: old, userId: one.u.id, authTime: NOW, expiresAt: NOW + 3600 });
      await storage.sessions.delete(old);
      assert.equal((await claimAll(storage)).length, 0);
      await storage.close();
    });

    test('two concurrent claims of one job: exactly one wins; a leased job is not claimed again', async () => {
      const { storage } = await ctx.fresh();
      const { idHash } = await scene(storage);
      await storage.sessions.delete(idHash);
      const t = Date.now();
      const ids = (await storage.logoutJobs.claimDue(t, 0, 100)).map((j) => j.id);
      assert.equal(ids.length, 2);
      for (const id of ids) {
        const results = await Promise.all([storage.logoutJobs.claim(id, t, 60_000), storage.logoutJobs.claim(id, t, 60_000)]);
        assert.equal(results.filter((r) => r !== undefined).length, 1);
        assert.equal(results.find((r) => r !== undefined)?.attempts, 2);
      }
      assert.equal((await claimAll(storage, t + 1000)).length, 0, 'leased');
      assert.equal((await claimAll(storage, t + 60_001)).length, 2, 'the lease ran out');
      await storage.close();
    });

    test('retryAt makes a job due later; finish deletes it', async () => {
      const { storage } = await ctx.fresh();
      const { idHash } = await scene(storage);
      await storage.sessions.delete(idHash);
      const t = Date.now();
      const [first, second] = await claimAll(storage, t);
      assert.ok(first && second);
      await storage.logoutJobs.retryAt(first.id, t + 5000);
      await storage.logoutJobs.finish(second.id);
      assert.equal((await storage.logoutJobs.claimDue(t + 4999, 1000, 10)).length, 0);
      const again = await storage.logoutJobs.claimDue(t + 5000, 1000, 10);
      assert.deepEqual(
        again.map((j) => [j.id, j.attempts]),
        [[first.id, 2]],
      );
      await storage.close();
    });
  });
}
