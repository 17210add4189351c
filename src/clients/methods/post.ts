// RFC 6749 §2.3.1 `client_secret_post`: client_id and client_secret in the form body.
import { checkSecret } from './basic.ts';
import type { ClientAuthenticator } from './types.ts';

export const clientSecretPost: ClientAuthenticator = {
  method: 'client_secret_post',
  presented: ({ params }) => params.client_secret !== undefined,
  clientId: ({ params }) => params.client_id,
  async verify(client, { params }) {
    checkSecret(client.secretHash, params.client_secret ?? '', client.clientId);
  },
};
