// `latchkey clients create | list | update | disable | enable | delete | rotate-secret`: RFC 7591 §2
// metadata names in --json output.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EndedAccess } from '../accounts/lifecycle.ts';
import { clientJson } from '../clients/json.ts';
import {
  type ClientChanges,
  definedOnly,
  deleteClient,
  disableClient,
  enableClient,
  findClient,
  rotateClientSecret,
  setRequireMfa,
  updateClient,
} from '../clients/lifecycle.ts';
import { buildClient, DEFAULT_CLIENT_SCOPE } from '../clients/register.ts';
import { parseIntOrThrow } from '../config/sources.ts';
import type { ClientJwks, GrantType } from '../storage/types.ts';
import { action, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

export { clientJson };

interface MetadataOptions extends GlobalOptions {
  name?: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  grantType?: string[];
  resource?: string[];
  scope?: string;
  refreshTokenTtl?: string;
  refreshTokenIdleTtl?: string;
  jwksFile?: string;
  jwksUri?: string;
  requirePushedAuthorizationRequests?: boolean;
  dpopBoundAccessTokens?: boolean;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
}

/** A JWK Set file (RFC 7517 §5) of public keys; a problem is a one-line error naming the file. */
function readJwksFile(path: string): ClientJwks {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--jwks-file: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ClientJwks;
  } catch {
    throw new Error(`--jwks-file: ${path} is not JSON`);
  }
}

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** The metadata options `create` and `update` share. */
function metadataOptions(cmd: Command, replace: string): Command {
  return cmd
    .option('--redirect-uri <uri>', `a redirect URI (repeat for more); matched exactly${replace}`, repeat)
    .option('--post-logout-redirect-uri <uri>', `where the client may send people after sign-out (repeat for more)${replace}`, repeat)
    .option(
      '--grant-type <type>',
      `authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange (repeat)${replace}`,
      repeat,
    )
    .option('--resource <uri>', `an RFC 8707 resource (audience) the client may ask tokens for (repeat for more)${replace}`, repeat)
    .option('--refresh-token-ttl <seconds>', 'absolute refresh token lifetime (default: server ttl.refreshToken)')
    .option('--refresh-token-idle-ttl <seconds>', 'idle refresh token lifetime (default: server ttl.refreshTokenIdle)')
    .option('--jwks-file <path>', `a JWK Set of the client's public keys: it authenticates with private_key_jwt${replace}`)
    .option('--jwks-uri <url>', `where the client publishes its public keys (https): it authenticates with private_key_jwt${replace}`)
    .option('--require-pushed-authorization-requests', 'the client must push its authorization requests (RFC 9126)')
    .option('--no-require-pushed-authorization-requests', 'the client may send authorization requests without pushing them')
    .option('--dpop-bound-access-tokens', 'the client must bind its access tokens to a DPoP key (RFC 9449)')
    .option('--no-dpop-bound-access-tokens', 'the client may get bearer access tokens')
    .option(
      '--backchannel-logout-uri <url>',
      `where logout tokens are POSTed when a session it signed in with ends (https; "" removes it)${replace}`,
    )
    .option('--backchannel-logout-session-required', 'the client needs the session id (sid) in its logout tokens')
    .option('--no-backchannel-logout-session-required', 'the client takes logout tokens without a sid');
}

function changesOf(opts: MetadataOptions): ClientChanges {
  return {
    name: opts.name,
    redirectUris: opts.redirectUri,
    postLogoutRedirectUris: opts.postLogoutRedirectUri,
    grantTypes: opts.grantType as GrantType[] | undefined,
    resources: opts.resource,
    scope: opts.scope,
    refreshTokenTtl: opts.refreshTokenTtl === undefined ? undefined : parseIntOrThrow(opts.refreshTokenTtl, '--refresh-token-ttl'),
    refreshTokenIdleTtl:
      opts.refreshTokenIdleTtl === undefined ? undefined : parseIntOrThrow(opts.refreshTokenIdleTtl, '--refresh-token-idle-ttl'),
    jwks: opts.jwksFile === undefined ? undefined : readJwksFile(opts.jwksFile),
    jwksUri: opts.jwksUri,
    requirePushedAuthorizationRequests: opts.requirePushedAuthorizationRequests,
    dpopBoundAccessTokens: opts.dpopBoundAccessTokens,
    // OIDC Back-Channel Logout 1.0 §2.2; an empty value removes the URI.
    backchannelLogoutUri: opts.backchannelLogoutUri === undefined ? undefined : opts.backchannelLogoutUri || null,
    backchannelLogoutSessionRequired: opts.backchannelLogoutSessionRequired,
  };
}

const endedText = (e: EndedAccess) => `${e.grants} grant${e.grants === 1 ? '' : 's'} revoked`;

/** A command on one registered client: `latchkey clients NAME <client_id>`. */
function onClient(clients: Command, name: string, description: string): Command {
  return withCommonOptions(clients.command(name).description(description).argument('<client_id>', 'the client'), 'rfc7591');
}

export function clientsCommand(program: Command): void {
  const clients = program.command('clients').description('register, change, disable and delete client applications');
  withCommonOptions(
    metadataOptions(
      clients
        .command('create')
        .description('register a client; prints its client_id and, once, its secret')
        .requiredOption('--name <name>', 'name shown on the consent page'),
      '',
    )
      .option('--public', 'a public client (no secret; PKCE alone), e.g. a SPA or native app')
      .option(
        '--scope <scopes>',
        `space-separated scopes the client may request (default: "${DEFAULT_CLIENT_SCOPE}"; none for a client without the authorization_code grant, e.g. client_credentials only)`,
      ),
    'rfc7591',
  ).action(
    action(async (opts: MetadataOptions & { name: string; public?: boolean }) => {
      const { name: _, ...changes } = changesOf(opts);
      const defined = definedOnly(changes);
      await withStorage(
        opts,
        async (storage, scopes) => {
          const { record, secret } = buildClient({ name: opts.name, public: opts.public ?? false, ...defined }, scopes, now());
          await storage.clients.create(record);
          const lines = [`client_id:     ${record.clientId}`];
          if (secret) lines.push(`client_secret: ${secret}`, '(the secret is shown only now: store it safely)');
          else if (record.tokenEndpointAuthMethod === 'private_key_jwt')
            lines.push('private_key_jwt client: it signs its requests with its keys');
          else lines.push('public client: no secret, PKCE only');
          print(opts, clientJson(record, secret), lines.join('\n'));
        },
        { create: true },
      );
    }),
  );
  withCommonOptions(clients.command('list').description('list registered clients'), 'rfc7591').action(
    action(async (opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const list = await storage.clients.list();
        const text = list.length
          ? list
              .map(
                (c) =>
                  `${c.clientId}  ${c.name}  ${c.tokenEndpointAuthMethod}  ${c.redirectUris.join(' ')}${c.disabledAt !== null ? '  (disabled)' : ''}`,
              )
              .join('\n')
          : 'no clients';
        print(
          opts,
          list.map((c) => clientJson(c)),
          text,
        );
      });
    }),
  );
  metadataOptions(
    onClient(clients, 'update', "change a client's metadata; each option given replaces the registered value, lists included").option(
      '--name <name>',
      'name shown on the consent page',
    ),
    ' (replaces the registered list)',
  )
    .option('--scope <scopes>', 'space-separated scopes the client may request')
    .option('--require-mfa', 'every sign-in for this client needs a second factor')
    .option('--no-require-mfa', 'a password is enough again (unless the server or the request asks for more)')
    .action(
      action(async (clientId: string, opts: MetadataOptions & { requireMfa?: boolean }) => {
        const changes = changesOf(opts);
        const metadata = Object.values(changes).some((v) => v !== undefined);
        if (!metadata && opts.requireMfa === undefined) throw new Error('nothing to change: give at least one option');
        await withStorage(opts, async (storage, scopes) => {
          let client = metadata ? await updateClient(storage, clientId, changes, scopes) : await findClient(storage, clientId);
          if (opts.requireMfa !== undefined) client = await setRequireMfa(storage, client.clientId, opts.requireMfa);
          print(opts, clientJson(client), `updated client ${client.clientId}`);
        });
      }),
    );
  onClient(
    clients,
    'disable',
    'disable a client: revokes its grants at once; refused at /authorize and the token endpoint until enabled',
  ).action(
    action(async (clientId: string, opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const { client, ended } = await disableClient(storage, clientId, now());
        print(opts, { ...clientJson(client), grants_revoked: ended.grants }, `disabled client ${client.clientId}: ${endedText(ended)}`);
      });
    }),
  );
  onClient(clients, 'enable', 'enable a disabled client').action(
    action(async (clientId: string, opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const client = await enableClient(storage, clientId);
        print(opts, clientJson(client), `enabled client ${client.clientId}`);
      });
    }),
  );
  onClient(clients, 'delete', 'delete a client: revokes its grants and forgets the consents given to it').action(
    action(async (clientId: string, opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const { client, ended } = await deleteClient(storage, clientId, now());
        print(
          opts,
          { ...clientJson(client), deleted: true, grants_revoked: ended.grants },
          `deleted client ${client.clientId}: ${endedText(ended)}`,
        );
      });
    }),
  );
  onClient(clients, 'rotate-secret', 'give a confidential client a new secret, shown once; the old one stops working at once').action(
    action(async (clientId: string, opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const { client, secret } = await rotateClientSecret(storage, clientId);
        print(
          opts,
          clientJson(client, secret),
          `client_id:     ${client.clientId}\nclient_secret: ${secret}\n(the secret is shown only now: store it safely)`,
        );
      });
    }),
  );
}
