// `latchkey clients create | list`: RFC 7591 §2 metadata names in --json output.
import type { Command } from 'commander';
import { buildClient } from '../clients/register.ts';
import { parseIntOrThrow } from '../config/schema.ts';
import type { ClientRecord, GrantType } from '../storage/types.ts';
import { action, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

export function clientJson(c: ClientRecord, secret?: string | null): Record<string, unknown> {
  return {
    client_id: c.clientId,
    ...(secret ? { client_secret: secret } : {}),
    client_name: c.name,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.grantTypes,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    scope: c.scope,
    resources: c.resources,
    ...(c.refreshTokenTtl !== null ? { refresh_token_ttl: c.refreshTokenTtl } : {}),
    ...(c.refreshTokenIdleTtl !== null ? { refresh_token_idle_ttl: c.refreshTokenIdleTtl } : {}),
    client_id_issued_at: c.createdAt,
  };
}

interface CreateOptions extends GlobalOptions {
  name: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  grantType?: string[];
  resource?: string[];
  public?: boolean;
  scope?: string;
  refreshTokenTtl?: string;
  refreshTokenIdleTtl?: string;
}

const repeat = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function clientsCommand(program: Command): void {
  const clients = program.command('clients').description('register and list client applications');
  withCommonOptions(
    clients
      .command('create')
      .description('register a client; prints its client_id and, once, its secret')
      .requiredOption('--name <name>', 'name shown on the consent page')
      .option('--redirect-uri <uri>', 'a redirect URI (repeat for more); matched exactly', repeat)
      .option('--post-logout-redirect-uri <uri>', 'where the client may send people after sign-out (repeat for more)', repeat)
      .option('--grant-type <type>', 'authorization_code, refresh_token, client_credentials (repeat; default: the first two)', repeat)
      .option('--resource <uri>', 'an RFC 8707 resource (audience) the client may ask tokens for (repeat for more)', repeat)
      .option('--public', 'a public client (no secret; PKCE alone), e.g. a SPA or native app')
      .option('--scope <scopes>', 'space-separated scopes the client may request', 'openid profile email offline_access')
      .option('--refresh-token-ttl <seconds>', 'absolute refresh token lifetime (default: server ttl.refreshToken)')
      .option('--refresh-token-idle-ttl <seconds>', 'idle refresh token lifetime (default: server ttl.refreshTokenIdle)'),
  ).action(
    action(async (opts: CreateOptions) => {
      await withStorage(opts, async (storage, scopes) => {
        const { record, secret } = buildClient(
          {
            name: opts.name,
            redirectUris: opts.redirectUri ?? [],
            postLogoutRedirectUris: opts.postLogoutRedirectUri ?? [],
            resources: opts.resource ?? [],
            public: opts.public ?? false,
            ...(opts.grantType ? { grantTypes: opts.grantType as GrantType[] } : {}),
            ...(opts.scope ? { scope: opts.scope } : {}),
            ...(opts.refreshTokenTtl ? { refreshTokenTtl: parseIntOrThrow(opts.refreshTokenTtl, '--refresh-token-ttl') } : {}),
            ...(opts.refreshTokenIdleTtl
              ? { refreshTokenIdleTtl: parseIntOrThrow(opts.refreshTokenIdleTtl, '--refresh-token-idle-ttl') }
              : {}),
          },
          scopes,
          now(),
        );
        await storage.clients.create(record);
        const lines = [`client_id:     ${record.clientId}`];
        if (secret) lines.push(`client_secret: ${secret}`, '(the secret is shown only now: store it safely)');
        else lines.push('public client: no secret, PKCE only');
        print(opts, clientJson(record, secret), lines.join('\n'));
      });
    }),
  );
  withCommonOptions(clients.command('list').description('list registered clients')).action(
    action(async (opts: GlobalOptions) => {
      await withStorage(opts, async (storage) => {
        const list = await storage.clients.list();
        const text = list.length
          ? list.map((c) => `${c.clientId}  ${c.name}  ${c.tokenEndpointAuthMethod}  ${c.redirectUris.join(' ')}`).join('\n')
          : 'no clients';
        print(
          opts,
          list.map((c) => clientJson(c)),
          text,
        );
      });
    }),
  );
}
