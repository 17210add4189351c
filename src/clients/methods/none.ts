// RFC 7591 §2 `none`: a public client (RFC 6749 §2.1) names itself with client_id and proves nothing.
import type { ClientAuthenticator } from './types.ts';

export const noClientAuthentication: ClientAuthenticator = {
  method: 'none',
  // Chosen when no other method's credentials are in the request.
  presented: () => false,
  clientId: ({ params }) => params.client_id,
  async verify() {},
};
