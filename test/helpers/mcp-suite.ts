// The flows every official MCP TypeScript SDK client (v1 and v2) completes against Latchkey and the
// example MCP server (examples/mcp-server.ts): discovery through RFC 9728, the code flow with PKCE
// and resource, step-up on 403 insufficient_scope, refresh with resource, audience refusal, an
// origin-only resource, no scope anywhere, dynamic registration, and a Client ID Metadata Document.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { type RunningMcpServer, startMcpServer } from '../../examples/mcp-server.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { type MetadataDocumentIssuer, startMetadataDocumentIssuer } from './mcp-cimd.ts';
import { MCP_REDIRECT, MemoryOAuthProvider, recordingFetch } from './mcp-client.ts';
import { startTestServer, type TestServer } from './server.ts';

type GrantType = 'authorization_code' | 'refresh_token';

interface SdkClient<Transport> {
  connect(transport: Transport): Promise<void>;
  callTool(call: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

/** What a test file gives of its SDK: the classes it exports, and how this version differs. */
export interface McpSdk<Transport> {
  version: 'v1' | 'v2';
  exports: {
    Client: new (info: { name: string; version: string }) => SdkClient<Transport>;
    StreamableHTTPClientTransport: new (url: URL, options: { authProvider: never; fetch: typeof fetch }) => Transport;
    UnauthorizedError: abstract new (...args: never[]) => Error;
  };
  /** Ends the authorization with the query the person was sent back with. */
  finishAuth(transport: Transport, callback: URLSearchParams): Promise<void>;
  /** Configuration the SDK needs beyond the resources and registration. */
  serverConfig?: ConfigInput;
  /** The client of the step-up test: its registered scope and grant types. */
  stepUp: { scope: string; grantTypes?: GrantType[] };
  /** What gave the refresh token (an assertion message). */
  refreshTokenBecause: string;
}

const text = (result: unknown) => (result as { content: { text: string }[] }).content[0]?.text ?? '';
const whoami = async (client: Pick<SdkClient<unknown>, 'callTool'>) =>
  JSON.parse(text(await client.callTool({ name: 'whoami', arguments: {} }))) as Record<string, unknown>;

/** Defines the suite of an SDK: servers started before, every flow a test. */
export function mcpSdkSuite<Transport>(sdk: McpSdk<Transport>): void {
  const { Client, StreamableHTTPClientTransport, UnauthorizedError } = sdk.exports;
  const newClient = () => new Client({ name: 'latchkey-test', version: '1.0.0' });
  const isUnauthorized = (e: unknown) => e instanceof UnauthorizedError;
  let t: TestServer;
  let mcp: RunningMcpServer;
  let origin: RunningMcpServer;
  let bare: RunningMcpServer;
  let cimd: MetadataDocumentIssuer;
  let user: { username: string; password: string };
  const tokenRequests: URLSearchParams[] = [];
  const requested: string[] = [];
  const metadata = {
    client_name: `SDK ${sdk.version} test`,
    redirect_uris: [MCP_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
  };

  before(async () => {
    let issuer = '';
    mcp = await startMcpServer({ issuer: () => issuer, port: 0, host: '127.0.0.1' });
    // Registered without the origin's "/", while its metadata (and so the SDK) names it with one.
    let originUri = '';
    origin = await startMcpServer({ issuer: () => issuer, port: 0, host: '127.0.0.1', path: '/', audience: () => originUri });
    originUri = origin.resource.slice(0, -1);
    bare = await startMcpServer({ issuer: () => issuer, port: 0, host: '127.0.0.1', scopes: { tools: [], write: [] } });
    t = await startTestServer({
      registration: { enabled: true },
      ...sdk.serverConfig,
      resources: [
        { uri: mcp.resource, scopes: ['mcp:tools', 'mcp:write'], defaultScopes: ['mcp:tools'] },
        { uri: originUri, scopes: ['mcp:tools', 'mcp:write'] },
        { uri: bare.resource, scopes: [] },
      ],
    });
    issuer = t.url;
    user = await t.addUser('ada', 'ada password 12');
    cimd = await startMetadataDocumentIssuer({ ...metadata, client_name: `SDK ${sdk.version} document` }, sdk.serverConfig);
  });
  after(async () => {
    await Promise.all([mcp.close(), origin.close(), bare.close(), cimd?.close()]);
    await t.close();
  });

  async function publicClient(scope = 'openid offline_access', grantTypes?: GrantType[]) {
    const { client } = await t.addClient({ public: true, redirectUris: [MCP_REDIRECT], scope, ...(grantTypes ? { grantTypes } : {}) });
    return new MemoryOAuthProvider(user, metadata, { client_id: client.clientId, issuer: t.url });
  }

  const transportFor = (server: RunningMcpServer, provider: MemoryOAuthProvider) =>
    new StreamableHTTPClientTransport(new URL(server.resource), {
      authProvider: provider as never,
      fetch: recordingFetch(tokenRequests, requested),
    });

  /** Connects as an MCP application does: the first attempt sends the person to sign in, then it finishes and reconnects. */
  async function connect(server: RunningMcpServer, provider: MemoryOAuthProvider) {
    const first = transportFor(server, provider);
    try {
      await newClient().connect(first);
      assert.fail('the first connection needs authorization');
    } catch (e) {
      if (!isUnauthorized(e)) throw e;
    }
    assert.ok(provider.callback, 'the person was sent back with a code');
    await sdk.finishAuth(first, provider.callback);
    const transport = transportFor(server, provider);
    const client = newClient();
    await client.connect(transport);
    return { client, transport };
  }

  describe(`MCP SDK ${sdk.version} client`, () => {
    test('a pre-registered public client connects and calls whoami with a token for this server', async () => {
      const provider = await publicClient();
      const { client } = await connect(mcp, provider);
      const first = provider.authorizations[0];
      assert.equal(first?.searchParams.get('resource'), mcp.resource);
      assert.equal(first?.searchParams.get('code_challenge_method'), 'S256');
      const who = await whoami(client);
      assert.equal(who.resource, mcp.resource);
      assert.ok((who.scopes as string[]).includes('mcp:tools'));
      assert.equal(decodeJwt(provider.savedTokens?.access_token ?? '').aud, mcp.resource);
      await client.close();
    });

    test('step-up: add_note answers 403 insufficient_scope, the SDK re-authorizes with mcp:write, and the call succeeds', async () => {
      const provider = await publicClient(sdk.stepUp.scope, sdk.stepUp.grantTypes);
      const { client, transport } = await connect(mcp, provider);
      await assert.rejects(client.callTool({ name: 'add_note', arguments: { text: 'hello' } }), isUnauthorized);
      const stepUp = provider.authorizations.at(-1);
      assert.equal(provider.authorizations.length, 2);
      assert.ok(stepUp?.searchParams.get('scope')?.split(' ').includes('mcp:write'), stepUp?.href);
      assert.ok(provider.callback);
      await sdk.finishAuth(transport, provider.callback);
      assert.match(text(await client.callTool({ name: 'add_note', arguments: { text: 'hello' } })), /noted/);
      assert.ok(mcp.notes.includes('hello'));
      assert.ok(provider.savedTokens?.scope?.split(' ').includes('mcp:write'));
      await client.close();
    });

    test('a rejected access token is refreshed with resource, without the person', async () => {
      const provider = await publicClient();
      const { client } = await connect(mcp, provider);
      const before = provider.savedTokens;
      assert.ok(before?.refresh_token, sdk.refreshTokenBecause);
      provider.tamper = (token) => `${token.slice(0, -4)}AAAA`;
      const seen = tokenRequests.length;
      assert.equal((await whoami(client)).resource, mcp.resource);
      const refresh = tokenRequests.slice(seen).find((p) => p.get('grant_type') === 'refresh_token');
      assert.ok(refresh, 'the SDK refreshed');
      assert.equal(refresh.get('resource'), mcp.resource);
      assert.notEqual(provider.savedTokens?.access_token, before.access_token);
      assert.equal(provider.authorizations.length, 1, 'no new sign-in');
      await client.close();
    });

    test('a token for another resource is refused by the MCP server', async () => {
      const provider = await publicClient();
      const { client } = await connect(mcp, provider);
      const res = await fetch(bare.resource, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${provider.savedTokens?.access_token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token".*resource_metadata="/);
      await client.close();
    });

    test('an origin-only resource named with its trailing slash gets a token for the registered form', async () => {
      const provider = await publicClient();
      const { client } = await connect(origin, provider);
      assert.equal(provider.authorizations[0]?.searchParams.get('resource'), origin.resource);
      assert.ok(origin.resource.endsWith('/'));
      assert.equal(decodeJwt(provider.savedTokens?.access_token ?? '').aud, origin.resource.slice(0, -1));
      assert.equal((await whoami(client)).client_id, (provider.clientInformation() as { client_id: string }).client_id);
      await client.close();
    });

    test("no scope anywhere: the request names none and gets the client's registered scope", async () => {
      const provider = await publicClient('openid');
      const { client } = await connect(bare, provider);
      assert.equal(provider.authorizations[0]?.searchParams.has('scope'), false);
      assert.equal(decodeJwt(provider.savedTokens?.access_token ?? '').scope, 'openid');
      assert.ok(text(await client.callTool({ name: 'whoami', arguments: {} })).includes('"openid"'));
      await client.close();
    });

    test('a client that registers itself (RFC 7591) connects and calls whoami', async () => {
      const provider = new MemoryOAuthProvider(user, metadata);
      const { client } = await connect(mcp, provider);
      const registered = provider.clientInformation() as { client_id: string };
      assert.ok(await t.storage.registrations.get(registered.client_id), 'the SDK registered the client');
      const stored = await t.storage.clients.get(registered.client_id);
      assert.equal(stored?.tokenEndpointAuthMethod, 'none');
      assert.equal((await whoami(client)).client_id, registered.client_id);
      await client.close();
    });

    test('a client known by its metadata document (https on loopback) connects without registering', async () => {
      const provider = new MemoryOAuthProvider(cimd.user, metadata, undefined, cimd.clientId);
      const seen = requested.length;
      const { client } = await connect(cimd.mcp, provider);
      assert.equal(provider.authorizations[0]?.searchParams.get('client_id'), cimd.clientId);
      assert.equal((provider.clientInformation() as { client_id: string }).client_id, cimd.clientId);
      const who = await whoami(client);
      assert.equal(who.client_id, cimd.clientId);
      assert.equal(who.resource, cimd.mcp.resource);
      assert.equal(decodeJwt(provider.savedTokens?.access_token ?? '').client_id, cimd.clientId);
      assert.ok(cimd.documentFetches() > 0, 'the server fetched the document');
      const calls = requested.slice(seen);
      assert.ok(
        calls.some((u) => u.startsWith(`${cimd.issuer}/token`)),
        calls.join('\n'),
      );
      assert.ok(!calls.some((u) => u.startsWith(`${cimd.issuer}/register`)), 'no dynamic registration');
      assert.equal(await cimd.registrations(), 0, 'no client was registered');
      await client.close();
    });
  });
}
