// Every branch of the browser flow's decision (OIDC Core §3.1.2.1-§3.1.2.6, RFC 8252 §8.6, RFC 8707).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthorizationParams } from '../storage/types.ts';
import { type Decision, type DecisionInput, decide, isNativeClient } from './decide.ts';

const NOW = 1_900_000_000;
const API = 'https://api.example/';
const params = (p: Partial<AuthorizationParams> = {}): AuthorizationParams => ({
  clientId: 'c',
  redirectUri: 'https://app.example/cb',
  redirectUriGiven: true,
  scope: 'openid profile',
  state: null,
  nonce: null,
  codeChallenge: 'x'.repeat(43),
  prompt: [],
  maxAge: null,
  resources: [],
  ...p,
});
const confidential = { tokenEndpointAuthMethod: 'client_secret_basic' as const };
const publicClient = { tokenEndpointAuthMethod: 'none' as const };
const session = { userId: 'alice', authTime: NOW - 600 };
const approved = { scopes: ['openid', 'profile', 'email'], resources: [API] };

const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  params: params(),
  client: confidential,
  session,
  remembered: approved,
  now: NOW,
  ...over,
});
const issue: Decision = { next: 'issue', userId: 'alice', authTime: NOW - 600 };
const PWD = 'urn:latchkey:acr:pwd';
const MFA = 'urn:latchkey:acr:mfa';
const otpSession = { userId: 'alice', authTime: NOW - 30, amr: ['pwd', 'otp', 'mfa'] };
const passkeySession = { userId: 'alice', authTime: NOW - 30, amr: ['swk', 'user', 'mfa'] };
const issue2: Decision = { next: 'issue', userId: 'alice', authTime: NOW - 30 };

const cases: [string, DecisionInput, Decision['next'] | Decision][] = [
  ['no session: sign in', input({ session: undefined, remembered: undefined }), 'login'],
  ['no session, prompt=none: login_required', input({ session: undefined, params: params({ prompt: ['none'] }) }), 'fail'],
  ['session and remembered consent: answer at once', input(), issue],
  ['prompt=none with session and consent: answer', input({ params: params({ prompt: ['none'] }) }), issue],
  ['prompt=login: sign in again', input({ params: params({ prompt: ['login'] }) }), 'login'],
  [
    'prompt=login, signed in within this interaction: go on',
    input({ params: params({ prompt: ['login'] }), interaction: { userId: 'alice', authTime: NOW - 600 } }),
    issue,
  ],
  ['max_age exceeded: sign in again', input({ params: params({ maxAge: 300 }) }), 'login'],
  ['max_age not exceeded: go on', input({ params: params({ maxAge: 900 }) }), issue],
  ['max_age=0 is prompt=login', input({ params: params({ maxAge: 0 }), session: { userId: 'alice', authTime: NOW } }), 'login'],
  ['max_age exceeded, prompt=none: login_required', input({ params: params({ maxAge: 1, prompt: ['none'] }) }), 'fail'],
  ['another user signed in since the interaction began: sign in', input({ interaction: { userId: 'bob', authTime: NOW - 5 } }), 'login'],
  ['no remembered consent: ask', input({ remembered: undefined }), 'consent'],
  ['a scope never approved: ask', input({ params: params({ scope: 'openid offline_access' }) }), 'consent'],
  ['a resource never approved: ask', input({ params: params({ resources: ['https://other.example/'] }) }), 'consent'],
  ['an approved resource: go on', input({ params: params({ resources: [API] }) }), issue],
  ['prompt=consent: ask even when remembered', input({ params: params({ prompt: ['consent'] }) }), 'consent'],
  ['consent needed, prompt=none: consent_required', input({ remembered: undefined, params: params({ prompt: ['none'] }) }), 'fail'],
  ['consented on the page: answer', input({ remembered: undefined, consented: true }), issue],
  [
    'consented on the page, then another person signed in: ask again',
    input({ remembered: undefined, consented: true, interaction: { userId: 'bob', authTime: NOW - 600 } }),
    'login',
  ],
  [
    'consent recorded for this person in this interaction: answer',
    input({ remembered: undefined, consented: true, interaction: { userId: 'alice', authTime: NOW - 600 } }),
    issue,
  ],
  [
    'native app on loopback: remembered consent not used',
    input({ client: publicClient, params: params({ redirectUri: 'http://127.0.0.1:5000/cb' }) }),
    'consent',
  ],
  [
    'native app on a private-use scheme: remembered consent not used',
    input({ client: publicClient, params: params({ redirectUri: 'com.example.app:/cb' }) }),
    'consent',
  ],
  [
    'native app, prompt=none: consent_required',
    input({ client: publicClient, params: params({ redirectUri: 'http://127.0.0.1:5000/cb', prompt: ['none'] }) }),
    'fail',
  ],
  [
    'native app that consented on the page: answer',
    input({ client: publicClient, params: params({ redirectUri: 'http://127.0.0.1:5000/cb' }), consented: true }),
    issue,
  ],
  ['public web client on https keeps remembered consent', input({ client: publicClient }), issue],
  // Step-up (OIDC Core §3.1.2.1 acr_values, RFC 8176 amr): the second-factor step.
  ['acr_values asks for MFA, password session: second factor', input({ params: params({ acrValues: [MFA] }) }), 'mfa'],
  [
    'acr_values asks for MFA, session with an app code: go on',
    input({ params: params({ acrValues: [MFA] }), session: otpSession }),
    issue2,
  ],
  ['acr_values lists values in preference: the weakest known one will do', input({ params: params({ acrValues: ['phr', PWD] }) }), issue],
  ['unknown acr_values ask for nothing', input({ params: params({ acrValues: ['urn:other:gold'] }) }), issue],
  ['mfa.required: password session asks for the second factor', input({ mfaRequired: true }), 'mfa'],
  ['client requires MFA: second factor', input({ client: { ...confidential, requireMfa: true } }), 'mfa'],
  ['the user has a factor: every sign-in uses it', input({ factors: { any: true, passkey: false } }), 'mfa'],
  ['MFA asked, prompt=none: interaction_required', input({ mfaRequired: true, params: params({ prompt: ['none'] }) }), 'fail'],
  [
    'phr asked, app code only: a passkey is needed',
    input({ params: params({ acrValues: ['phr'] }), session: otpSession, factors: { any: true, passkey: true } }),
    'mfa',
  ],
  [
    'phr asked, the user has no passkey: unmet_authentication_requirements',
    input({ params: params({ acrValues: ['phr'] }), factors: { any: true, passkey: false } }),
    'fail',
  ],
  ['phr asked, passkey session: go on', input({ params: params({ acrValues: ['phr'] }), session: passkeySession }), issue2],
  ['no session, MFA asked: sign in first', input({ session: undefined, mfaRequired: true }), 'login'],
  [
    'max_age exceeded with an MFA session: sign in again',
    input({ params: params({ maxAge: 10, acrValues: [MFA] }), session: otpSession }),
    'login',
  ],
  [
    'MFA session, MFA not asked: consent still asked when not remembered',
    input({ session: otpSession, remembered: undefined, mfaRequired: true }),
    'consent',
  ],
];

describe('decide', () => {
  for (const [name, given, expected] of cases) {
    test(name, () => {
      const got = decide(given);
      if (typeof expected === 'string') assert.equal(got.next, expected);
      else assert.deepEqual(got, expected);
    });
  }

  test('prompt=none failures name the OIDC error', () => {
    const none = params({ prompt: ['none'] });
    assert.deepEqual(
      { ...decide(input({ session: undefined, params: none })), description: '' },
      { next: 'fail', error: 'login_required', description: '' },
    );
    assert.equal((decide(input({ remembered: undefined, params: none })) as { error?: string }).error, 'consent_required');
  });

  test('step-up failures name the OIDC error', () => {
    const none = params({ prompt: ['none'], acrValues: [MFA] });
    assert.equal((decide(input({ params: none })) as { error?: string }).error, 'interaction_required');
    const phr = params({ acrValues: ['phr'] });
    assert.equal(
      (decide(input({ params: phr, factors: { any: false, passkey: false } })) as { error?: string }).error,
      'unmet_authentication_requirements',
    );
  });

  test('isNativeClient: only public clients off https', () => {
    assert.equal(isNativeClient(publicClient, 'http://localhost:8080/cb'), true);
    assert.equal(isNativeClient(publicClient, 'https://app.example/cb'), false);
    assert.equal(isNativeClient(confidential, 'http://127.0.0.1/cb'), false);
  });
});
