// The account page's own sign-in goes through the browser flow like any client's: this is the
// client it names. It is not stored, has no redirect but the account page, and needs no consent.
import type { Config } from '../config/schema.ts';
import type { AuthorizationParams, ClientRecord } from '../storage/types.ts';

/** The client id of the account page's sign-in (a colon, which registered ids never have). */
export const ACCOUNT_CLIENT_ID = 'latchkey:account';

export function accountClient(config: Pick<Config, 'issuer'>): ClientRecord {
  return {
    clientId: ACCOUNT_CLIENT_ID,
    secretHash: null,
    name: 'your account',
    redirectUris: [`${config.issuer}/account`],
    grantTypes: ['authorization_code'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    scope: 'openid',
    createdAt: 0,
    postLogoutRedirectUris: [],
    resources: [],
    refreshTokenTtl: null,
    refreshTokenIdleTtl: null,
    disabledAt: null,
  };
}

/** The request the account page makes for itself: a fresh sign-in (`prompt=login`) when `fresh`. */
export function accountRequest(config: Pick<Config, 'issuer'>, fresh: boolean, acrValues?: string[]): AuthorizationParams {
  return {
    clientId: ACCOUNT_CLIENT_ID,
    redirectUri: `${config.issuer}/account`,
    redirectUriGiven: false,
    scope: 'openid',
    state: null,
    nonce: null,
    codeChallenge: '',
    prompt: fresh ? ['login'] : [],
    maxAge: null,
    resources: [],
    ...(acrValues ? { acrValues } : {}),
  };
}
