// RFC 6749 §2.3, RFC 7591 §2 `token_endpoint_auth_method`: one small authenticator per method, all
// behind one interface; clients/authenticate.ts picks the one the request uses.
import type { OAuthRequest } from '../../http/types.ts';
import type { ClientAuthMethod, ClientRecord, ClientStore, UsedJtiStore } from '../../storage/types.ts';
import type { ClientKeys } from '../client-keys.ts';

/** A client-authenticated request, as every authenticator sees it. */
export interface AuthenticationInput {
  req: OAuthRequest;
  /** The form parameters, each once. */
  params: Record<string, string>;
  /** The URL the request was sent to (the issuer and the path): an audience an assertion may name. */
  endpointUrl: string;
}

/** What verifying credentials may use. */
export interface AuthenticateDeps {
  clients: Pick<ClientStore, 'get'>;
  usedJtis: UsedJtiStore;
  clientKeys: Pick<ClientKeys, 'resolve'>;
  issuer: string;
  /** Epoch seconds. */
  clock: () => number;
}

export interface ClientAuthenticator {
  readonly method: ClientAuthMethod;
  /** Whether the request carries this method's credentials (`none` carries none). */
  presented(input: AuthenticationInput): boolean;
  /** The client_id the credentials name (before they are verified); undefined when they name none. */
  clientId(input: AuthenticationInput): string | undefined;
  /** Verifies the credentials for `client`; throws `invalid_client` when they are wrong. */
  verify(client: ClientRecord, input: AuthenticationInput, deps: AuthenticateDeps): Promise<void>;
}
