// The storage contract of dynamically registered clients (RFC 7591 §3, RFC 7592): create, read,
// forget, and the cleanup of clients never used.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Ctx, client, code, grant, NOW } from './fixtures.ts';

export function registrationContract(ctx: Ctx): void {
  describe('registrations', () => {
    test('create stores the client and its registration together; delete forgets the registration', async () => {
      const c = client();
      await ctx.storage.registrations.create(c, { clientId: c.clientId, tokenHash: 'h', createdAt: NOW, unusedUntil: NOW + 60 });
      assert.deepEqual(await ctx.storage.clients.get(c.clientId), c);
      assert.deepEqual(await ctx.storage.registrations.get(c.clientId), {
        clientId: c.clientId,
        tokenHash: 'h',
        createdAt: NOW,
        unusedUntil: NOW + 60,
      });
      await ctx.storage.registrations.delete(c.clientId);
      assert.equal(await ctx.storage.registrations.get(c.clientId), undefined);
    });

    test('a client with the same id as an existing one is refused, and leaves no registration', async () => {
      const c = client();
      await ctx.storage.clients.create(c);
      await assert.rejects(
        ctx.storage.registrations.create(c, { clientId: c.clientId, tokenHash: 'h', createdAt: NOW, unusedUntil: null }),
      );
      assert.equal(await ctx.storage.registrations.get(c.clientId), undefined);
    });

    test('removeUnused deletes clients unused past their time, keeps used ones and those not yet due', async () => {
      const { storage } = await ctx.fresh();
      const [unused, used, young] = [client(), client(), client()];
      for (const c of [unused, used, young]) {
        await storage.registrations.create(c, {
          clientId: c.clientId,
          tokenHash: 'h',
          createdAt: NOW,
          unusedUntil: c === young ? NOW + 1000 : NOW + 10,
        });
      }
      await storage.consents.remember('user-1', unused.clientId, { scopes: ['openid'], resources: [] }, NOW);
      const g = grant({ clientId: used.clientId });
      await storage.codes.createWithGrant(g, code(g.id, { clientId: used.clientId }));
      assert.equal(await storage.registrations.removeUnused(NOW + 100), 1);
      assert.equal(await storage.clients.get(unused.clientId), undefined);
      assert.equal(await storage.consents.get('user-1', unused.clientId), undefined);
      assert.ok(await storage.clients.get(used.clientId));
      assert.equal((await storage.registrations.get(used.clientId))?.unusedUntil, null);
      assert.ok(await storage.clients.get(young.clientId));
    });
  });
}
