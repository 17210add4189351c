// RFC 8176 amr values and the acr levels they reach; what acr_values and the policy ask for.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACR_VALUES, acrOf, levelOf, otpAmr, passkeyAmr, requiredLevel } from './assurance.ts';

describe('assurance', () => {
  test('amr values per factor', () => {
    assert.deepEqual(otpAmr(['pwd']), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(passkeyAmr(true, true), ['swk', 'user', 'mfa']);
    assert.deepEqual(passkeyAmr(false, true), ['hwk', 'user', 'mfa']);
    // Without user verification a passkey alone is one factor; after a password it is the second.
    assert.deepEqual(passkeyAmr(false, false), ['hwk', 'user']);
    assert.deepEqual(passkeyAmr(true, false, ['pwd']), ['pwd', 'swk', 'user', 'mfa']);
  });

  test('levels and acr values', () => {
    assert.equal(levelOf(undefined), 1);
    assert.equal(levelOf(['pwd']), 1);
    assert.equal(levelOf(['pwd', 'otp', 'mfa']), 2);
    assert.equal(levelOf(['hwk', 'user']), 1);
    assert.equal(levelOf(['swk', 'user', 'mfa']), 3);
    assert.equal(acrOf(['pwd']), 'urn:latchkey:acr:pwd');
    assert.equal(acrOf(['pwd', 'otp', 'mfa']), 'urn:latchkey:acr:mfa');
    assert.equal(acrOf(['pwd', 'hwk', 'user', 'mfa']), 'phr');
    assert.deepEqual([...ACR_VALUES], ['urn:latchkey:acr:pwd', 'urn:latchkey:acr:mfa', 'phr']);
  });

  test('required level: the weakest known acr value, at least MFA when the policy asks', () => {
    assert.equal(requiredLevel(undefined, false), 0);
    assert.equal(requiredLevel(['phr', 'urn:latchkey:acr:mfa'], false), 2);
    assert.equal(requiredLevel(['phr'], false), 3);
    assert.equal(requiredLevel(['urn:x'], false), 0);
    assert.equal(requiredLevel(['urn:latchkey:acr:pwd'], true), 2);
    assert.equal(requiredLevel(['phr'], true), 3);
  });
});
