// RFC 6749 §4 / §5.2: grant dispatch by a map from grant_type to its handler.
import type { GrantType } from '../storage/types.ts';
import { authorizationCodeGrant } from './authorization-code.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { DEVICE_CODE_GRANT, deviceCodeGrant } from './device-code.ts';
import { refreshTokenGrant } from './refresh-token.ts';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from './token-exchange.ts';
import type { Grant } from './types.ts';

export const grants: ReadonlyMap<GrantType, Grant> = new Map<GrantType, Grant>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  [DEVICE_CODE_GRANT, deviceCodeGrant],
  [TOKEN_EXCHANGE_GRANT, tokenExchangeGrant],
]);
