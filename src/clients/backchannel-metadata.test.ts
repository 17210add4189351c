// OIDC Back-Channel Logout 1.0 §2.2: the client metadata, in dynamic registration (precise
// invalid_client_metadata refusals), in the CLI and admin API path (clientMetadata), and shown back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError } from '../errors.ts';
import { clientChangesFromJson, clientJson } from './json.ts';
import { buildClient, clientMetadata } from './register.ts';
import { registeredMetadata, registrationToClient } from './registration-metadata.ts';

const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const ok = { redirect_uris: ['https://rp.example/cb'] };
const refused = (description: RegExp) => (e: unknown) =>
  e instanceof OAuthError && e.code === 'invalid_client_metadata' && description.test(e.description);

describe('back-channel logout metadata', () => {
  test('registered, stored and shown back in the registration response and the client JSON', () => {
    const input = registrationToClient(
      { ...ok, backchannel_logout_uri: 'https://rp.example/bc?x=1', backchannel_logout_session_required: true },
      SCOPES,
    );
    const { record } = buildClient(input, SCOPES, 1);
    assert.equal(record.backchannelLogoutUri, 'https://rp.example/bc?x=1');
    assert.equal(record.backchannelLogoutSessionRequired, true);
    const shown = registeredMetadata(record);
    assert.equal(shown.backchannel_logout_uri, 'https://rp.example/bc?x=1');
    assert.equal(shown.backchannel_logout_session_required, true);
    assert.equal(clientJson(record).backchannel_logout_uri, 'https://rp.example/bc?x=1');
    const none = buildClient(registrationToClient(ok, SCOPES), SCOPES, 1).record;
    assert.equal(registeredMetadata(none).backchannel_logout_uri, undefined);
    assert.equal(clientJson(none).backchannel_logout_session_required, false);
  });

  test('each problem is a precise invalid_client_metadata', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ backchannel_logout_uri: 'https://rp.example/bc#frag' }, /^backchannel_logout_uri must not have a fragment$/],
      [{ backchannel_logout_uri: 'http://rp.example/bc' }, /^backchannel_logout_uri must be an https URL$/],
      [{ backchannel_logout_uri: '/bc' }, /^backchannel_logout_uri is not an absolute URL$/],
      [{ backchannel_logout_uri: 7 }, /^backchannel_logout_uri must be a string/],
      [{ backchannel_logout_uri: 'https://u:p@rp.example/bc' }, /credentials/],
      [{ backchannel_logout_uri: 'https://rp.example/bc', backchannel_logout_session_required: 'yes' }, /must be true or false/],
      [{ backchannel_logout_session_required: true }, /needs a backchannel_logout_uri/],
    ];
    for (const [extra, description] of cases) {
      assert.throws(() => registrationToClient({ ...ok, ...extra }, SCOPES), refused(description), JSON.stringify(extra));
    }
  });

  test('plain http only on loopback (development), as for redirect URIs', () => {
    const c = registrationToClient({ ...ok, backchannel_logout_uri: 'http://127.0.0.1:4000/bc' }, SCOPES);
    assert.equal(c.backchannelLogoutUri, 'http://127.0.0.1:4000/bc');
  });

  test('the CLI and admin API path: validated, and null removes the URI', () => {
    const base = { name: 'RP', redirectUris: ['https://rp.example/cb'] };
    assert.throws(() => clientMetadata({ ...base, backchannelLogoutUri: 'https://rp.example/#x' }, SCOPES), /fragment/);
    assert.equal(clientMetadata({ ...base, backchannelLogoutUri: null }, SCOPES).backchannelLogoutUri, null);
    const changes = clientChangesFromJson({ backchannel_logout_uri: null, backchannel_logout_session_required: false });
    assert.equal(changes.backchannelLogoutUri, null);
    assert.equal(changes.backchannelLogoutSessionRequired, false);
    assert.throws(() => clientChangesFromJson({ backchannel_logout_session_required: 1 }), /true or false/);
  });
});
