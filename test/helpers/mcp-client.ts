// An in-memory OAuthClientProvider for the MCP SDK clients (v1 and v2): it keeps what the SDK saves,
// and its redirect handler drives the login and consent pages as a browser would.
import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import { Browser } from './browser.ts';

export const MCP_REDIRECT = 'http://127.0.0.1:9/mcp-callback';

type Metadata = OAuthClientProvider['clientMetadata'];

export class MemoryOAuthProvider {
  /** Every authorization URL the SDK opened. */
  readonly authorizations: URL[] = [];
  /** The query of the last redirect back to the client (code, state, iss). */
  callback: URLSearchParams | undefined;
  readonly browser = new Browser();
  private info: Record<string, unknown> | undefined;
  private saved: Record<string, unknown> | undefined;
  private verifier = '';
  private discovery: unknown;
  /** Replaces the access token handed to the transport (to present a rejected one). */
  tamper: ((token: string) => string) | undefined;

  private readonly user: { username: string; password: string };
  private readonly metadata: Metadata;
  readonly clientMetadataUrl: string | undefined;

  constructor(
    user: { username: string; password: string },
    metadata: Metadata,
    clientInformation?: { client_id: string; issuer?: string },
    clientMetadataUrl?: string,
  ) {
    this.user = user;
    this.metadata = metadata;
    this.info = clientInformation;
    this.clientMetadataUrl = clientMetadataUrl;
  }

  get redirectUrl(): string {
    return MCP_REDIRECT;
  }
  get clientMetadata(): Metadata {
    return this.metadata;
  }
  clientInformation() {
    return this.info as never;
  }
  saveClientInformation(info: Record<string, unknown>): void {
    this.info = info;
  }
  tokens() {
    if (!this.saved) return undefined;
    const token = this.saved.access_token as string;
    return { ...this.saved, access_token: this.tamper ? this.tamper(token) : token } as never;
  }
  saveTokens(tokens: Record<string, unknown>): void {
    this.tamper = undefined;
    this.saved = tokens;
  }
  /** The stored tokens as the server issued them. */
  get savedTokens(): { access_token: string; refresh_token?: string; scope?: string } | undefined {
    return this.saved as never;
  }
  async redirectToAuthorization(url: URL): Promise<void> {
    this.authorizations.push(url);
    const page = await this.browser.authorize(url.href, this.user);
    if (!page.url.startsWith(MCP_REDIRECT))
      throw new Error(`the authorization did not come back: ${page.status} ${page.html.slice(0, 300)}`);
    this.callback = new URL(page.url).searchParams;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  saveDiscoveryState(state: unknown): void {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.info = undefined;
  }
}

/** The fetch of an MCP client, recording the form bodies it sends to the token endpoint (and every URL, in `urls`). */
export function recordingFetch(tokenRequests: URLSearchParams[], urls: string[] = []): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    urls.push(url);
    if (url.endsWith('/token') && init?.body) tokenRequests.push(new URLSearchParams(String(init.body)));
    return fetch(input, init);
  };
}
