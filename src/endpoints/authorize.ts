// RFC 6749 §3.1 and §4.1.1, OAuth 2.1 §4.1, OIDC Core §3.1.2: the authorization endpoint. The browser
// flow it starts lives in src/authorization/ (ARCHITECTURE.md "The browser flow").
import { beginFlow, type FlowDeps } from '../authorization/flow.ts';
import type { OAuthRequest, OAuthResponse } from '../http/types.ts';

export function authorizeEndpoint(req: OAuthRequest, deps: FlowDeps): Promise<OAuthResponse> {
  return beginFlow(req, deps);
}
