// The storage contract of strong sign-in (migration 0010): authenticator apps, recovery codes,
// passkeys, WebAuthn challenges, how sessions, interactions and codes record authentication, and
// per-client access revoked for one person.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PasskeyRecord } from '../../src/storage/types.ts';
import { type Ctx, client, code, grant, interaction, NOW, refresh, unique, user } from './fixtures.ts';

const passkey = (over: Partial<PasskeyRecord> = {}): PasskeyRecord => ({
  id: unique('cred'),
  userId: 'user-1',
  publicKey: 'pQECAyYgASFYIA',
  counter: 0,
  transports: ['internal', 'hybrid'],
  backupEligible: true,
  backupState: false,
  name: 'Laptop',
  createdAt: NOW,
  lastUsedAt: null,
  ...over,
});

export function factorContract(ctx: Ctx): void {
  describe('authenticator apps', () => {
    test('a pending app is replaced by a new enrolment, confirmed once, then kept', async () => {
      const f = ctx.storage.factors;
      const u = unique('user');
      assert.equal(await f.beginTotp(u, 'sealed-1', NOW), true);
      assert.equal(await f.beginTotp(u, 'sealed-2', NOW + 1), true);
      assert.deepEqual(await f.getTotp(u), { userId: u, secret: 'sealed-2', confirmedAt: null, lastStep: 0, createdAt: NOW + 1 });
      // A pending app accepts no code for sign-in; its confirmation takes the step.
      assert.equal(await f.useTotpStep(u, 100, NOW), false);
      assert.equal(await f.useTotpStep(u, 100, NOW, true), true);
      assert.equal(await f.useTotpStep(u, 101, NOW, true), false, 'confirmed once');
      assert.equal((await f.getTotp(u))?.confirmedAt, NOW);
      assert.equal(await f.beginTotp(u, 'sealed-3', NOW), false, 'a confirmed app is not replaced');
      assert.equal((await f.getTotp(u))?.secret, 'sealed-2');
    });

    test('a step is accepted once, and never an earlier one; concurrent uses of one step: one wins', async () => {
      const f = ctx.storage.factors;
      const u = unique('user');
      await f.beginTotp(u, 's', NOW);
      await f.useTotpStep(u, 100, NOW, true);
      assert.equal(await f.useTotpStep(u, 100, NOW), false);
      assert.equal(await f.useTotpStep(u, 99, NOW), false);
      const results = await Promise.all(Array.from({ length: 8 }, () => f.useTotpStep(u, 101, NOW)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await f.getTotp(u))?.lastStep, 101);
      assert.equal(await f.deleteTotp(u), true);
      assert.equal(await f.getTotp(u), undefined);
      assert.equal(await f.deleteTotp(u), false);
    });
  });

  describe('a session read for a client', () => {
    test('getForClient gives the session with the consent for that client and the factors, as the single reads do', async () => {
      const { storage } = ctx;
      const u = unique('user');
      const session = { idHash: unique('sess'), userId: u, authTime: NOW, expiresAt: NOW + 100, amr: ['pwd', 'otp'], sid: unique('sid') };
      await storage.sessions.create(session);
      await storage.consents.remember(u, 'app-a', { scopes: ['openid', 'email'], resources: ['https://api.example/'] }, NOW);
      await storage.consents.remember(unique('user'), 'app-b', { scopes: ['openid'], resources: [] }, NOW);
      await storage.factors.beginTotp(u, 'sealed', NOW);
      await storage.factors.useTotpStep(u, 100, NOW, true);
      await storage.factors.addPasskey(passkey({ userId: u }));
      await storage.factors.addPasskey(passkey({ userId: u }));
      await storage.factors.replaceRecoveryCodes(u, ['h1', 'h2'], NOW);

      const a = await storage.sessions.getForClient(session.idHash, NOW, 'app-a');
      assert.deepEqual(a, {
        session: await storage.sessions.get(session.idHash, NOW),
        consent: await storage.consents.get(u, 'app-a'),
        factors: await storage.factors.summary(u),
      });
      assert.deepEqual(a?.factors, { totp: true, passkeys: 2, recoveryCodes: 2 });
      assert.deepEqual(a?.consent, { scopes: ['email', 'openid'], resources: ['https://api.example/'] });
      // Another client's consent, of another user, is not this one's.
      const b = await storage.sessions.getForClient(session.idHash, NOW, 'app-b');
      assert.equal(b?.consent, undefined);
      assert.deepEqual(b?.session, a?.session);
      assert.equal(await storage.sessions.getForClient(session.idHash, NOW + 100, 'app-a'), undefined, 'expired');
      assert.equal(await storage.sessions.getForClient(unique('sess'), NOW, 'app-a'), undefined, 'unknown');
    });

    test('a user without factors or consent', async () => {
      const { storage } = ctx;
      const session = { idHash: unique('sess'), userId: unique('user'), authTime: NOW, expiresAt: NOW + 100, amr: ['pwd'] };
      await storage.sessions.create(session);
      assert.deepEqual(await storage.sessions.getForClient(session.idHash, NOW, 'app-a'), {
        session: await storage.sessions.get(session.idHash, NOW),
        consent: undefined,
        factors: { totp: false, passkeys: 0, recoveryCodes: 0 },
      });
    });
  });

  describe('recovery codes', () => {
    test('each is used once; a new set replaces the old one', async () => {
      const f = ctx.storage.factors;
      const u = unique('user');
      await f.replaceRecoveryCodes(u, ['h1', 'h2', 'h3'], NOW);
      assert.equal((await f.summary(u)).recoveryCodes, 3);
      const results = await Promise.all(Array.from({ length: 6 }, () => f.useRecoveryCode(u, 'h1', NOW)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await f.useRecoveryCode('someone-else', 'h2', NOW), false);
      assert.equal((await f.summary(u)).recoveryCodes, 2);
      await f.replaceRecoveryCodes(u, ['h4'], NOW);
      assert.equal(await f.useRecoveryCode(u, 'h2', NOW), false);
      assert.equal(await f.useRecoveryCode(u, 'h4', NOW), true);
    });
  });

  describe('passkeys', () => {
    test('round-trip, list per user, counters that must grow, removal by their owner only', async () => {
      const f = ctx.storage.factors;
      const u = unique('user');
      const a = passkey({ userId: u });
      const b = passkey({ userId: u, counter: 5, backupEligible: false, transports: [], createdAt: NOW + 1 });
      await f.addPasskey(a);
      await f.addPasskey(b);
      await f.addPasskey(passkey({ userId: unique('user') }));
      assert.deepEqual(await f.getPasskey(a.id), a);
      assert.deepEqual(await f.listPasskeys(u), [a, b]);
      // An authenticator without a counter (0) stays at 0; one with a counter must go up.
      assert.equal(await f.usePasskey(a.id, 0, true, NOW + 5), true);
      assert.deepEqual(await f.getPasskey(a.id), { ...a, backupState: true, lastUsedAt: NOW + 5 });
      assert.equal(await f.usePasskey(b.id, 5, false, NOW), false, 'a counter that did not grow: a cloned key');
      assert.equal(await f.usePasskey(b.id, 6, false, NOW), true);
      assert.equal((await f.getPasskey(b.id))?.counter, 6);
      assert.equal((await f.summary(u)).passkeys, 2);
      assert.equal(await f.deletePasskey('intruder', a.id), false);
      assert.equal(await f.deletePasskey(u, a.id), true);
      assert.deepEqual(await f.listPasskeys(u), [{ ...b, counter: 6, lastUsedAt: NOW }]);
    });

    test('removeAll removes every factor of the user, and deleting the user does too', async () => {
      const f = ctx.storage.factors;
      const u = user();
      await ctx.storage.users.create(u);
      for (const id of [u.id, 'bystander']) {
        await f.beginTotp(id, 's', NOW);
        await f.useTotpStep(id, 1, NOW, true);
        await f.replaceRecoveryCodes(id, [unique('h')], NOW);
        await f.addPasskey(passkey({ userId: id }));
      }
      await f.removeAll('bystander');
      assert.deepEqual(await f.summary('bystander'), { totp: false, passkeys: 0, recoveryCodes: 0 });
      assert.deepEqual(await f.summary(u.id), { totp: true, passkeys: 1, recoveryCodes: 1 });
      await ctx.storage.users.delete(u.id);
      assert.deepEqual(await f.summary(u.id), { totp: false, passkeys: 0, recoveryCodes: 0 });
    });

    test('a challenge is taken once, and not after it expired', async () => {
      const f = ctx.storage.factors;
      const live = unique('ch');
      const old = unique('ch');
      await f.saveChallenge(live, 'challenge-1', 'user-1', NOW + 300);
      await f.saveChallenge(old, 'challenge-2', null, NOW - 1);
      const taken = await Promise.all([f.takeChallenge(live, NOW), f.takeChallenge(live, NOW)]);
      assert.deepEqual(taken.filter(Boolean), [{ challenge: 'challenge-1', userId: 'user-1' }]);
      assert.equal(await f.takeChallenge(old, NOW), undefined);
    });
  });

  describe('how a person authenticated', () => {
    test('sessions keep amr, list per user, end all others, and record a step-up', async () => {
      const s = ctx.storage.sessions;
      const u = unique('user');
      const mine = { idHash: unique('sess'), userId: u, authTime: NOW - 10, expiresAt: NOW + 100, amr: ['pwd'] };
      const other = { idHash: unique('sess'), userId: u, authTime: NOW - 5, expiresAt: NOW + 100, amr: ['swk', 'user', 'mfa'] };
      const expired = { idHash: unique('sess'), userId: u, authTime: NOW - 50, expiresAt: NOW - 1, amr: ['pwd'] };
      for (const x of [mine, other, expired]) await s.create(x);
      assert.deepEqual(await s.listForUser(u, NOW), [other, mine]);
      await s.upgrade(mine.idHash, NOW, ['pwd', 'otp', 'mfa']);
      assert.deepEqual(await s.get(mine.idHash, NOW), { ...mine, authTime: NOW, amr: ['pwd', 'otp', 'mfa'] });
      assert.equal(await s.deleteOthers(u, mine.idHash), 2);
      assert.deepEqual(await s.listForUser(u, NOW), [{ ...mine, authTime: NOW, amr: ['pwd', 'otp', 'mfa'] }]);
    });

    test('an interaction records amr with the user; a code and its grant keep amr and acr', async () => {
      const i = interaction();
      await ctx.storage.interactions.create(i);
      await ctx.storage.interactions.setUser(i.id, 'user-1', NOW - 1, ['pwd', 'otp', 'mfa']);
      assert.deepEqual(await ctx.storage.interactions.get(i.id, NOW), {
        ...i,
        userId: 'user-1',
        authTime: NOW - 1,
        amr: ['pwd', 'otp', 'mfa'],
      });
      const g = { ...grant(), amr: ['hwk', 'user', 'mfa'], acr: 'phr' };
      const c = code(g.id, { amr: ['hwk', 'user', 'mfa'], acr: 'phr' });
      await ctx.storage.codes.createWithGrant(g, c);
      const found = await ctx.storage.codes.findWithGrant(c.codeHash);
      assert.deepEqual(found?.code, c);
      assert.deepEqual(found?.grant, g);
      assert.deepEqual(await ctx.storage.grants.get(g.id), g);
      // The refresh path reads the grant through its token.
      const rt = refresh(g.id);
      await ctx.storage.refreshTokens.create(rt);
      assert.deepEqual((await ctx.storage.refreshTokens.findWithGrant(rt.tokenHash))?.grant, g);
      // A grant with neither (written before migration 0015, or by the device flow) reads back without them.
      const plain = grant();
      await ctx.storage.codes.createWithGrant(plain, code(plain.id));
      assert.deepEqual(await ctx.storage.grants.get(plain.id), plain);
    });

    test('a client that requires MFA round-trips', async () => {
      const c = client({ requireMfa: true });
      await ctx.storage.clients.create(c);
      assert.deepEqual(await ctx.storage.clients.get(c.clientId), c);
    });

    test('one person’s access to one client: their grants and consent end, their session and others stay', async () => {
      const { storage } = ctx;
      const u = unique('user');
      const session = { idHash: unique('sess'), userId: u, authTime: NOW, expiresAt: NOW + 100, amr: ['pwd'] };
      await storage.sessions.create(session);
      const mine = grant({ userId: u, clientId: 'app-a' });
      const otherApp = grant({ userId: u, clientId: 'app-b' });
      const otherUser = grant({ userId: unique('user'), clientId: 'app-a' });
      for (const g of [mine, otherApp, otherUser]) await storage.codes.createWithGrant(g, code(g.id, { userId: g.userId ?? '' }));
      await storage.consents.remember(u, 'app-a', { scopes: ['openid'], resources: [] }, NOW);
      await storage.consents.remember(u, 'app-b', { scopes: ['openid', 'email'], resources: [] }, NOW + 1);
      assert.deepEqual(
        (await storage.consents.listForUser(u)).map((c) => c.clientId),
        ['app-b', 'app-a'],
      );
      assert.deepEqual(await storage.revokeAccess({ userId: u, clientId: 'app-a' }, NOW), { sessions: 0, grants: 1 });
      assert.notEqual((await storage.grants.get(mine.id))?.revokedAt, null);
      assert.equal((await storage.grants.get(otherApp.id))?.revokedAt, null);
      assert.equal((await storage.grants.get(otherUser.id))?.revokedAt, null);
      assert.equal(await storage.consents.get(u, 'app-a'), undefined);
      assert.ok(await storage.consents.get(u, 'app-b'));
      assert.ok(await storage.sessions.get(session.idHash, NOW));
    });
  });
}
