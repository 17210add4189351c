// Every grant called directly, without sockets, over an in-memory SQLite store: what each accepts and
// each refusal (RFC 6749 §4.1.3, §4.4, §5.2, §6; RFC 7636 §4.6; RFC 8707 §2.2; RFC 9700 §4.14.2).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { API, REDIRECT, type UnitDeps, unitDeps } from '../../test/helpers/unit.ts';
import { createUser } from '../accounts/users.ts';
import { issueCode } from '../authorization/respond.ts';
import { OAuthError } from '../errors.ts';
import type { AuthorizationParams, ClientRecord } from '../storage/types.ts';
import { hashToken } from '../tokens/opaque.ts';
import { seal } from '../tokens/successor.ts';
import { grants } from './index.ts';
import { s256 } from './pkce.ts';

const VERIFIER = 'v'.repeat(43);

let deps: UnitDeps;
let app: ClientRecord;
let other: ClientRecord;
let machine: ClientRecord;
let publicApp: ClientRecord;
let userId: string;

before(async () => {
  deps = await unitDeps();
  app = (await deps.addClient({ scope: 'openid profile offline_access api:read' })).client;
  other = (await deps.addClient()).client;
  machine = (await deps.addClient({ grantTypes: ['client_credentials'], redirectUris: [], scope: 'api:read' })).client;
  publicApp = (await deps.addClient({ public: true })).client;
  userId = (await createUser(deps.storage.users, { username: 'grant-user', password: 'a password 123' }, deps.clock())).id;
});
after(() => deps.close());

const codeGrant = grants.get('authorization_code');
const refreshGrant = grants.get('refresh_token');
const ccGrant = grants.get('client_credentials');

/** A validated authorization request of `client` (PKCE with VERIFIER). */
const authorizationParams = (client: ClientRecord, overrides: Partial<AuthorizationParams> = {}): AuthorizationParams => ({
  clientId: client.clientId,
  redirectUri: REDIRECT,
  redirectUriGiven: true,
  scope: 'openid offline_access api:read',
  state: 's',
  nonce: 'n',
  codeChallenge: s256(VERIFIER),
  prompt: [],
  maxAge: null,
  resources: [],
  ...overrides,
});

/** An authorization code as the browser flow issues it. */
async function newCode(overrides: Partial<AuthorizationParams> = {}): Promise<string> {
  const res = await issueCode(authorizationParams(app, overrides), userId, deps.clock(), deps);
  const code = new URL(String(res.headers.location)).searchParams.get('code');
  assert.ok(code);
  return code;
}

/** The code exchanged as a client would; `extra` replaces parameters, or leaves one out when undefined. */
function exchange(code: string, extra: Record<string, string | undefined> = {}, client = app, resources: string[] = []) {
  assert.ok(codeGrant);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries({ code, redirect_uri: REDIRECT, code_verifier: VERIFIER, ...extra }))
    if (v !== undefined) params[k] = v;
  return codeGrant.handle({ params, resources, client }, deps);
}

function refresh(token: string, extra: Record<string, string> = {}, client = app, resources: string[] = []) {
  assert.ok(refreshGrant);
  return refreshGrant.handle({ params: { refresh_token: token, ...extra }, resources, client }, deps);
}

const refused = (code: string) => (e: unknown) => e instanceof OAuthError && e.code === code;

describe('authorization_code grant', () => {
  test('declares the parameters it reads', () => {
    assert.deepEqual([...(codeGrant?.params ?? [])].sort(), ['code', 'code_verifier', 'redirect_uri']);
  });

  test('exchanges a code for an access token, an ID token and a refresh token', async () => {
    const res = await exchange(await newCode());
    assert.equal(res.token_type, 'Bearer');
    assert.equal(decodeJwt(res.access_token).sub, userId);
    assert.equal(decodeJwt(res.id_token ?? '').nonce, 'n');
    assert.ok(res.refresh_token);
  });

  const refusals: [string, () => Promise<unknown>, string][] = [
    ['an unknown code', () => exchange('x'.repeat(43)), 'invalid_grant'],
    ['no code', async () => codeGrant?.handle({ params: {}, resources: [], client: app }, deps), 'invalid_request'],
    ['another client', async () => exchange(await newCode(), {}, other), 'invalid_grant'],
    ['no code_verifier', async () => exchange(await newCode(), { code_verifier: undefined }), 'invalid_request'],
    ['a malformed code_verifier', async () => exchange(await newCode(), { code_verifier: 'short' }), 'invalid_grant'],
    ['a wrong code_verifier', async () => exchange(await newCode(), { code_verifier: 'w'.repeat(43) }), 'invalid_grant'],
    ['a different redirect_uri', async () => exchange(await newCode(), { redirect_uri: 'https://app.example/other' }), 'invalid_grant'],
    ['a resource outside the grant', async () => exchange(await newCode(), {}, app, [API]), 'invalid_target'],
    [
      'an expired code',
      async () => {
        const code = await newCode();
        deps.advance(deps.config.ttl.code + 1);
        return exchange(code);
      },
      'invalid_grant',
    ],
  ];
  for (const [name, run, code] of refusals) {
    test(`refuses ${name} with ${code}`, async () => {
      await assert.rejects(run(), refused(code));
    });
  }

  test('a code used twice is refused and revokes what it produced', async () => {
    const code = await newCode();
    const first = await exchange(code);
    await assert.rejects(exchange(code), refused('invalid_grant'));
    await assert.rejects(refresh(first.refresh_token ?? ''), refused('invalid_grant'));
  });

  test('a presentation that fails PKCE does not spend the code: the right verifier still redeems it', async () => {
    const code = await newCode();
    await assert.rejects(exchange(code, { code_verifier: 'w'.repeat(43) }), refused('invalid_grant'));
    const res = await exchange(code);
    assert.ok(res.access_token);
  });

  test('a code presented by another client revokes the grant', async () => {
    const code = await newCode();
    await assert.rejects(exchange(code, {}, other), refused('invalid_grant'));
    await assert.rejects(exchange(code), refused('invalid_grant'));
  });
});

describe('refresh_token grant', () => {
  test('declares the parameters it reads', () => {
    assert.deepEqual([...(refreshGrant?.params ?? [])].sort(), ['refresh_token', 'scope']);
  });

  test('rotates: a new refresh token, and a narrower scope when asked', async () => {
    const first = await exchange(await newCode());
    const next = await refresh(first.refresh_token ?? '', { scope: 'api:read' });
    assert.equal(next.scope, 'api:read');
    assert.ok(next.refresh_token && next.refresh_token !== first.refresh_token);
  });

  const refusals: [string, () => Promise<unknown>, string][] = [
    ['an unknown token', () => refresh('x'.repeat(43)), 'invalid_grant'],
    ['no token', async () => refreshGrant?.handle({ params: {}, resources: [], client: app }, deps), 'invalid_request'],
    ['another client', async () => refresh((await exchange(await newCode())).refresh_token ?? '', {}, other), 'invalid_grant'],
    [
      'a wider scope',
      async () => refresh((await exchange(await newCode())).refresh_token ?? '', { scope: 'openid profile' }),
      'invalid_scope',
    ],
    [
      'a resource outside the grant',
      async () => refresh((await exchange(await newCode())).refresh_token ?? '', {}, app, [API]),
      'invalid_target',
    ],
    [
      'an idle-expired token',
      async () => {
        const { refresh_token } = await exchange(await newCode());
        deps.advance(deps.config.ttl.refreshTokenIdle + 1);
        return refresh(refresh_token ?? '');
      },
      'invalid_grant',
    ],
  ];
  for (const [name, run, code] of refusals) {
    test(`refuses ${name} with ${code}`, async () => {
      await assert.rejects(run(), refused(code));
    });
  }

  test('a refreshed ID token describes the original authentication: auth_time, amr and acr (OIDC Core §12.2)', async () => {
    const own = await unitDeps({ refreshIdToken: true });
    try {
      const c = (await own.addClient({ scope: 'openid offline_access' })).client;
      const u = (await createUser(own.storage.users, { username: 'mfa-user', password: 'a password 123' }, own.clock())).id;
      const authTime = own.clock() - 30;
      const params = authorizationParams(c, { scope: 'openid offline_access' });
      const auth = { amr: ['pwd', 'otp', 'mfa'], acr: 'urn:latchkey:acr:mfa' };
      const res = await issueCode(params, u, authTime, own, {}, auth);
      const code = new URL(String(res.headers.location)).searchParams.get('code') ?? '';
      const first = await codeGrant?.handle(
        { params: { code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, resources: [], client: c },
        own,
      );
      own.advance(60);
      const next = await refreshGrant?.handle({ params: { refresh_token: first?.refresh_token ?? '' }, resources: [], client: c }, own);
      const original = decodeJwt(first?.id_token ?? '');
      const refreshed = decodeJwt(next?.id_token ?? '');
      assert.deepEqual([original.auth_time, original.amr, original.acr], [authTime, auth.amr, auth.acr]);
      assert.deepEqual([refreshed.auth_time, refreshed.amr, refreshed.acr], [authTime, auth.amr, auth.acr]);
      assert.ok(Number(refreshed.iat) > Number(original.iat), 'a new ID token');
    } finally {
      await own.close();
    }
  });

  test('a code and grant with no amr recorded (written before it was kept) give ID tokens without the claim', async () => {
    const own = await unitDeps({ refreshIdToken: true });
    try {
      const c = (await own.addClient({ scope: 'openid offline_access' })).client;
      const u = (await createUser(own.storage.users, { username: 'old-user', password: 'a password 123' }, own.clock())).id;
      const params = authorizationParams(c, { scope: 'openid offline_access' });
      const res = await issueCode(params, u, own.clock(), own, {}, { amr: [], acr: null });
      const code = new URL(String(res.headers.location)).searchParams.get('code') ?? '';
      const first = await codeGrant?.handle(
        { params: { code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, resources: [], client: c },
        own,
      );
      const next = await refreshGrant?.handle({ params: { refresh_token: first?.refresh_token ?? '' }, resources: [], client: c }, own);
      for (const token of [first?.id_token, next?.id_token]) {
        const claims = decodeJwt(token ?? '');
        assert.equal(claims.sub, u);
        assert.ok(!('amr' in claims) && !('acr' in claims), JSON.stringify(claims));
      }
    } finally {
      await own.close();
    }
  });

  test('a refresh token of a revoked grant is refused', async () => {
    const { refresh_token = '' } = await exchange(await newCode());
    const record = await deps.storage.refreshTokens.find(hashToken(refresh_token));
    assert.ok(record);
    await deps.storage.grants.revoke(record.grantId, deps.clock());
    await assert.rejects(refresh(refresh_token), refused('invalid_grant'));
  });

  test('within the grace window the same successor comes back with new tokens; after it, reuse revokes the grant', async () => {
    const first = await exchange(await newCode());
    const next = await refresh(first.refresh_token ?? '');
    const again = await refresh(first.refresh_token ?? '');
    assert.equal(again.refresh_token, next.refresh_token);
    assert.equal(again.scope, next.scope);
    assert.notEqual(decodeJwt(again.access_token).jti, decodeJwt(next.access_token).jti);
    assert.equal(decodeJwt(again.access_token).grant_id, decodeJwt(next.access_token).grant_id);
    deps.advance(deps.config.ttl.refreshGrace + 1);
    await assert.rejects(refresh(first.refresh_token ?? ''), refused('invalid_grant'));
    await assert.rejects(refresh(next.refresh_token ?? ''), refused('invalid_grant'));
  });

  test('a row rotated by an earlier version, which sealed the whole answer, returns that answer', async () => {
    const first = await exchange(await newCode());
    const hash = hashToken(first.refresh_token ?? '');
    const next = await refresh(first.refresh_token ?? '');
    const whole = { ...next, access_token: 'the-answer-of-before' };
    await deps.db
      .updateTable('refresh_tokens')
      .set({ successor: seal(first.refresh_token ?? '', whole) })
      .where('token_hash', '=', hash)
      .execute();
    assert.deepEqual(await refresh(first.refresh_token ?? ''), whole);
  });

  test('a sealed successor that is not the one the row names is reuse: the grant is revoked', async () => {
    const first = await exchange(await newCode());
    const hash = hashToken(first.refresh_token ?? '');
    const next = await refresh(first.refresh_token ?? '');
    const other = { refresh_token: 'r'.repeat(43) };
    await deps.db
      .updateTable('refresh_tokens')
      .set({ successor: seal(first.refresh_token ?? '', other) })
      .where('token_hash', '=', hash)
      .execute();
    await assert.rejects(refresh(first.refresh_token ?? ''), refused('invalid_grant'));
    await assert.rejects(refresh(next.refresh_token ?? ''), refused('invalid_grant'));
  });
});

describe('client_credentials grant', () => {
  test('declares the parameters it reads', () => {
    assert.deepEqual(ccGrant?.params, ['scope']);
  });

  test('issues a token for the client itself, for a registered resource', async () => {
    assert.ok(ccGrant);
    const res = await ccGrant.handle({ params: {}, resources: [API], client: machine }, deps);
    const claims = decodeJwt(res.access_token);
    assert.equal(claims.sub, machine.clientId);
    assert.equal(claims.aud, API);
    assert.equal(res.refresh_token, undefined);
  });

  const refusals: [string, () => Promise<unknown>, string][] = [
    ['a public client', async () => ccGrant?.handle({ params: {}, resources: [], client: publicApp }, deps), 'unauthorized_client'],
    [
      'a scope not registered',
      async () => ccGrant?.handle({ params: { scope: 'api:write' }, resources: [], client: machine }, deps),
      'invalid_scope',
    ],
    [
      'a resource not registered',
      async () => ccGrant?.handle({ params: {}, resources: ['https://other.example/'], client: machine }, deps),
      'invalid_target',
    ],
  ];
  for (const [name, run, code] of refusals) {
    test(`refuses ${name} with ${code}`, async () => {
      await assert.rejects(run(), refused(code));
    });
  }
});

describe('device_code grant (RFC 8628)', () => {
  const deviceGrant = grants.get('urn:ietf:params:oauth:grant-type:device_code');

  test('declares the parameters it reads', () => {
    assert.deepEqual(deviceGrant?.params, ['device_code']);
  });

  test('a missing or unknown device_code is refused', async () => {
    assert.ok(deviceGrant);
    await assert.rejects(deviceGrant.handle({ params: {}, resources: [], client: publicApp }, deps), { code: 'invalid_request' });
    await assert.rejects(deviceGrant.handle({ params: { device_code: 'nope' }, resources: [], client: publicApp }, deps), {
      code: 'invalid_grant',
    });
  });
});

describe('token-exchange grant (RFC 8693)', () => {
  const exchangeGrant = grants.get('urn:ietf:params:oauth:grant-type:token-exchange');

  test('declares the parameters it reads', () => {
    assert.deepEqual(exchangeGrant?.params, [
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'scope',
      'audience',
    ]);
  });

  test('a public client cannot exchange tokens', async () => {
    assert.ok(exchangeGrant);
    await assert.rejects(exchangeGrant.handle({ params: {}, resources: [], client: publicApp }, deps), { code: 'unauthorized_client' });
  });
});
