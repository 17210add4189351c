// `latchkey clients create | list`: RFC 7591 §2 metadata names in --json output.
import type { Command } from 'commander';
import { buildClient } from '../clients/register.ts';
import type { ClientRecord } from '../storage/types.ts';
import { action, type GlobalOptions, now, print, withCommonOptions, withStorage } from './common.ts';

export function clientJson(c: ClientRecord, secret?: string | null): Record<string, unknown> {
  return {
    client_id: c.clientId,
    ...(secret ? { client_secret: secret } : {}),
    client_name: c.name,
    redirect_uris: c.redirectUris,
    grant_types: c.grantTypes,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    scope: c.scope,
    client_id_issued_at: c.createdAt,
  };
}

interface CreateOptions extends GlobalOptions {
  name: string;
  redirectUri: string[];
  public?: boolean;
  scope?: string;
}

export function clientsCommand(program: Command): void {
  const clients = program.command('clients').description('register and list client applications');
  withCommonOptions(
    clients
      .command('create')
      .description('register a client; prints its client_id and, once, its secret')
      .requiredOption('--name <name>', 'name shown on the consent page')
      .requiredOption(
        '--redirect-uri <uri>',
        'a redirect URI (repeat for more); matched exactly',
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      )
      .option('--public', 'a public client (no secret; PKCE alone), e.g. a SPA or native app')
      .option('--scope <scopes>', 'space-separated scopes the client may request', 'openid profile email offline_access'),
  ).action(
    action(async (opts: CreateOptions) => {
      await withStorage(opts, async (storage, scopes) => {
        const { record, secret } = buildClient(
          { name: opts.name, redirectUris: opts.redirectUri, public: opts.public ?? false, ...(opts.scope ? { scope: opts.scope } : {}) },
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
