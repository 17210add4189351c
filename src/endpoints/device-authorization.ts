// RFC 8628 §3.1-§3.2: the device authorization endpoint. A device (a CLI, a TV, an agent without a
// browser) authenticates as at the token endpoint (a public client sends client_id) and gets a
// device_code to poll with and a user_code for the person to enter at verification_uri.
import { newUserCode, normalizeUserCode, userCodeHash } from '../authorization/user-code.ts';
import type { Deps } from '../deps.ts';
import { OAuthError } from '../errors.ts';
import { DEVICE_CODE_GRANT } from '../grants/device-code.ts';
import { checkResources } from '../grants/resource.ts';
import { isSubset, joinScope, splitScope } from '../grants/scope.ts';
import { json } from '../http/respond.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';
import type { GrantType } from '../storage/types.ts';
import { hashToken, randomToken } from '../tokens/opaque.ts';
import { type ClientRequestDeps, readClientRequest } from './client-request.ts';

/** RFC 8628 §3.2: the least number of seconds between two polls. */
export const DEVICE_POLL_INTERVAL = 5;

export type DeviceAuthorizationDeps = ClientRequestDeps & Pick<Deps, 'storage'>;

export async function deviceAuthorizationEndpoint(req: OAuthRequest, deps: DeviceAuthorizationDeps): Promise<OAuthResponse> {
  const { params, lists, client } = await readClientRequest(req, deps, ['resource']);
  const { config, clock, storage } = deps;
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT as GrantType)) {
    throw new OAuthError('unauthorized_client', 'this client may not use the device authorization grant');
  }
  // RFC 8628 §3.1 / RFC 6749 §3.3: absent scope falls back to the client's registered scope.
  const scope = params.scope === undefined ? splitScope(client.scope) : splitScope(params.scope);
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'no scope was requested');
  if (!isSubset(scope, splitScope(client.scope))) throw new OAuthError('invalid_scope', 'a requested scope is not allowed for this client');
  const resources = checkResources(lists.resource ?? [], client, config);
  const now = clock();
  const deviceCode = randomToken();
  const expiresIn = config.ttl.deviceCode;
  // A user code is unique among live ones; a collision (about 1 in 2^34 per pair) is drawn again.
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    try {
      await storage.deviceCodes.create({
        deviceCodeHash: hashToken(deviceCode),
        userCodeHash: userCodeHash(normalizeUserCode(userCode) as string),
        clientId: client.clientId,
        scope: joinScope(scope),
        resources,
        status: 'pending',
        userId: null,
        authTime: null,
        amr: [],
        interval: DEVICE_POLL_INTERVAL,
        lastPolledAt: null,
        createdAt: now,
        expiresAt: now + expiresIn,
      });
    } catch (e) {
      if (attempt < 2) continue;
      throw e;
    }
    const verificationUri = `${config.issuer}/device`;
    return json(200, {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
      expires_in: expiresIn,
      interval: DEVICE_POLL_INTERVAL,
    });
  }
}
